package explore

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// systemAvailable is the memory this process can still get: the kernel's
// estimate of memory available for new allocations without swapping
// (MemAvailable in /proc/meminfo, or without it free plus buffer memory
// from sysinfo(2)), and, in a memory cgroup with a limit, at most that
// limit less the cgroup's usage. It returns 0 if none of them can be read.
func systemAvailable() int64 {
	avail := meminfoAvailable()
	if avail <= 0 {
		var si syscall.Sysinfo_t
		if syscall.Sysinfo(&si) == nil {
			avail = int64(si.Freeram+si.Bufferram) * int64(si.Unit)
		}
	}
	if left, ok := cgroupLeft(); ok && (avail <= 0 || left < avail) {
		avail = max(left, 1)
	}
	return avail
}

// meminfoAvailable reads MemAvailable from /proc/meminfo (0: not there).
func meminfoAvailable() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// MemAvailable:   23456789 kB
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("MemAvailable:")); ok {
			fields := bytes.Fields(rest)
			if len(fields) == 2 && string(fields[1]) == "kB" {
				if n, err := strconv.ParseInt(string(fields[0]), 10, 64); err == nil {
					return n << 10
				}
			}
			return 0
		}
	}
	return 0
}

// cgroupLeft is what this process's memory cgroup still allows: its
// limit less its usage, from cgroup v2 (memory.max, memory.current) or v1
// (memory.limit_in_bytes, memory.usage_in_bytes); ok is false if there is
// no limit to read. An unlimited v1 group reads as a limit near 2^63,
// which the caller's minimum ignores.
func cgroupLeft() (int64, bool) {
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	return cgroupLeftIn("/sys/fs/cgroup", self)
}

// cgroupLeftIn is cgroupLeft with the cgroup file system mounted at root
// and self the contents of /proc/self/cgroup. Usage counts the page cache,
// which the kernel reclaims before it refuses memory, so the inactive file
// pages of memory.stat (v2 inactive_file, v1 total_inactive_file) are not
// counted as used, as MemAvailable does not count them. A v1 group is
// looked for under the path /proc/self/cgroup names and, where that is not
// there (a container without a cgroup namespace sees its host's path, but
// has its own group mounted at the root), at the memory mount itself.
func cgroupLeftIn(root string, self []byte) (int64, bool) {
	for line := range bytes.Lines(self) {
		// "0::/path" (v2) or "4:memory:/path" (v1)
		f := bytes.SplitN(bytes.TrimSpace(line), []byte(":"), 3)
		if len(f) != 3 {
			continue
		}
		var dirs []string
		var limit, usage, inactive string
		switch {
		case string(f[0]) == "0" && len(f[1]) == 0:
			dirs = []string{root + string(f[2])}
			limit, usage, inactive = "memory.max", "memory.current", "inactive_file"
		case slices.Contains(strings.Split(string(f[1]), ","), "memory"): // "memory" or e.g. "cpu,memory"
			dirs = []string{root + "/memory" + string(f[2]), root + "/memory"}
			limit, usage, inactive = "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"
		default:
			continue
		}
		for _, dir := range dirs {
			if l, ok := readBytes(dir + "/" + limit); ok {
				u, _ := readBytes(dir + "/" + usage)
				u -= min(u, statField(dir+"/memory.stat", inactive))
				return l - u, true
			}
		}
	}
	return 0, false
}

// statField reads one field of a memory.stat file (0: not there).
func statField(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if k, v, ok := bytes.Cut(bytes.TrimSpace(line), []byte(" ")); ok && string(k) == name {
			if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}

// readBytes reads a file holding one number of bytes; ok is false if it
// cannot be read or holds something else ("max": no limit).
func readBytes(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	return n, err == nil && n > 0
}

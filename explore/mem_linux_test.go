package explore

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCgroupLeft: what a memory cgroup still allows is its limit less its
// usage, not counting inactive file pages (page cache the kernel
// reclaims); a v1 group missing under the path /proc/self/cgroup names is
// found at the memory mount; no limit, no answer.
func TestCgroupLeft(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name   string
		files  map[string]string // relative to the mount root
		self   string
		want   int64
		wantOK bool
	}{
		{"v2", map[string]string{
			"job/memory.max": "4294967296", "job/memory.current": "4187593113",
			"job/memory.stat": "anon 104857600\ninactive_file 3758096384\nactive_file 1000\n",
		}, "0::/job\n", 4*gib - (4187593113 - 3758096384), true},
		{"v2 without stat", map[string]string{"job/memory.max": "4294967296", "job/memory.current": "1073741824"},
			"0::/job\n", 3 * gib, true},
		{"v2 unlimited", map[string]string{"job/memory.max": "max", "job/memory.current": "1073741824"},
			"0::/job\n", 0, false},
		{"v1 at its path", map[string]string{
			"memory/docker/abc/memory.limit_in_bytes": "2147483648", "memory/docker/abc/memory.usage_in_bytes": "1610612736",
			"memory/docker/abc/memory.stat": "cache 1500000000\ntotal_inactive_file 1073741824\n",
		}, "12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n", 2*gib - (1610612736 - 1073741824), true},
		{"v1 at the mount", map[string]string{
			"memory/memory.limit_in_bytes": "2147483648", "memory/memory.usage_in_bytes": "1073741824",
		}, "4:memory:/docker/abc\n", gib, true},
		{"no cgroup", nil, "", 0, false},
	} {
		root := t.TempDir()
		for name, body := range tc.files {
			p := filepath.Join(root, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, ok := cgroupLeftIn(root, []byte(tc.self))
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: %d %v, want %d %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}

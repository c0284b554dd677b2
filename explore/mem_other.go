//go:build !linux

package explore

// systemAvailable is 0 (not known) where there is no /proc/meminfo:
// searches there are capped at Options.Memory as given, and a bitstate
// array is the size asked for.
func systemAvailable() int64 { return 0 }

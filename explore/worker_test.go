package explore_test

import (
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/explore"
)

func TestParseSize(t *testing.T) {
	const (
		mi = int64(1) << 20
		gi = int64(1) << 30
	)
	for _, tc := range []struct {
		in   string
		want int64
		err  string // part of the error; "" for none
	}{
		{"4G", 4 * gi, ""},
		{"4g", 4 * gi, ""},
		{"4GB", 4 * gi, ""},
		{"4gb", 4 * gi, ""},
		{"4GiB", 4 * gi, ""},
		{"4gib", 4 * gi, ""},
		{"4 G", 4 * gi, ""},
		{" 4G ", 4 * gi, ""},
		{"1.5G", 3 * gi / 2, ""},
		{".5G", gi / 2, ""},
		{"512M", 512 * mi, ""},
		{"1M", mi, ""},
		{"1024K", mi, ""},
		{"1048576", mi, ""},
		{"1048576B", mi, ""},
		{"2T", 2 << 40, ""},
		{"0", 0, ""},
		{"0G", 0, ""},
		{"10", 0, "10 bytes, below the minimum of 1 MiB"},
		{"0.5", 0, "0.5 bytes, below the minimum"},
		{"1K", 0, "1024 bytes, below the minimum"},
		{"99999999999999999999", 0, "too large"},
		{"9999999T", 0, "too large"},
		{"8388608T", 0, "too large"}, // 2^63 bytes
		{"1e30T", 0, "want a number"},
		{"1e9", 0, "want a number"},
		{"NaN", 0, "want a number"},
		{"Inf", 0, "want a number"},
		{"-1G", 0, "want a number"},
		{"+1G", 0, "want a number"},
		{"0x10M", 0, "want a number"},
		{"1.2.3G", 0, "want a number"},
		{".", 0, "want a number"},
		{"", 0, "want a number"},
		{"G", 0, "want a number"},
		{"4P", 0, "want a number"},
		{"4Gi", 0, "want a number"},
		{"4iB", 0, "want a number"},
		{"4GBB", 0, "want a number"},
		{"4 G B", 0, "want a number"},
		{"lots", 0, "want a number"},
	} {
		got, err := explore.ParseSize(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseSize(%q) = %d, %v; want an error with %q", tc.in, got, err, tc.err)
		case err != nil && !strings.Contains(err.Error(), `"`+tc.in+`"`):
			t.Errorf("ParseSize(%q): error %q does not quote the input", tc.in, err)
		}
	}
}

package explore_test

import "strings"

func join(lines []string) string { return strings.Join(lines, "\n") }

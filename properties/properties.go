package properties

import (
	"fmt"
	"strings"

	"github.com/rqcheck/rqcheck/model"
)

// Property is a named invariant. A property judges states, transitions or
// terminal states (states with no enabled step); each judge returns "" when
// the property holds and a message otherwise. Any judge may be nil.
type Property struct {
	Name string
	Doc  string
	// State judges every reachable state.
	State func(m *model.Model, s *model.State) string
	// Step judges every transition prev --st--> next with its effects.
	Step func(m *model.Model, prev *model.State, st model.Step, eff *model.Effects, next *model.State) string
	// Terminal judges states in which no step is enabled.
	Terminal func(m *model.Model, s *model.State) string
}

var all = []*Property{NoDeadlock, NoLostTask, Affinity, KernelBug}

// All returns every property, in a fixed order.
func All() []*Property { return append([]*Property(nil), all...) }

// Names lists the property names.
func Names() []string {
	var n []string
	for _, p := range all {
		n = append(n, p.Name)
	}
	return n
}

// Lookup finds a property by name.
func Lookup(name string) (*Property, error) {
	for _, p := range all {
		if p.Name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("unknown property %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Select parses a comma-separated list of property names; "" or "all"
// selects every property. The result keeps the registry's order.
func Select(list string) ([]*Property, error) {
	list = strings.TrimSpace(list)
	if list == "" || list == "all" {
		return All(), nil
	}
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if _, err := Lookup(name); err != nil {
			return nil, err
		}
		want[name] = true
	}
	var out []*Property
	for _, p := range all {
		if want[p.Name] {
			out = append(out, p)
		}
	}
	return out, nil
}

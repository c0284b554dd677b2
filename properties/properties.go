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
	// OptIn properties are checked only when asked for by name (or by
	// "all"); the default set leaves them out.
	OptIn bool
}

var all = []*Property{NoDeadlock, NoLostTask, Affinity, KernelBug, WorkConservation}

// Default returns the properties checked when none are named: every
// property that is not OptIn, in a fixed order.
func Default() []*Property {
	var out []*Property
	for _, p := range all {
		if !p.OptIn {
			out = append(out, p)
		}
	}
	return out
}

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

// Select parses a comma-separated list of property names; "" or "default"
// selects the Default set and "all" every property. The result keeps the
// registry's order.
func Select(list string) ([]*Property, error) {
	list = strings.TrimSpace(list)
	switch list {
	case "", "default":
		return Default(), nil
	case "all":
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

// Class names the kind of a violation, for deciding whether two violations
// are "the same": minimisation keeps a schedule or a smaller scenario only
// if it violates the same property with the same class. For kernel-bug the
// class is the whole report (line, CPU and comm); for no-deadlock it is the
// kind of cycle ("deadlock (IPI)", "deadlock (interrupt)", "deadlock (lock
// order)") or the stuck state; for the other properties it is the property
// name.
func Class(prop, msg string) string {
	switch prop {
	case KernelBug.Name:
		return msg
	case NoDeadlock.Name:
		if i := strings.Index(msg, ":"); i >= 0 {
			return msg[:i]
		}
		return msg
	}
	return prop
}

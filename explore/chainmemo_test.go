package explore

import (
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

// TestChainMemoChangesNothing: answering chainStep from the workers'
// memos gives exactly the search that asks chainStep every time.
func TestChainMemoChangesNothing(t *testing.T) { sameSearchWithout(t, &testNoChainMemo) }

// TestChainMemoSlots: a slot answers only for the fingerprint it was
// filled with, and returns the answer as it was put.
func TestChainMemoSlots(t *testing.T) {
	c := newChainMemo()
	a := fp{0x1234_5678_9abc_def0, 0xfedc_ba98_7654_3210}
	if _, _, _, hit := c.get(a); hit {
		t.Fatal("empty memo answered")
	}
	if _, _, _, hit := c.get(fp{}); hit {
		t.Fatal("empty memo answered the zero fingerprint")
	}
	cases := []struct {
		next model.Step
		ok   bool
		cpus model.CPUSet
	}{
		{model.Step{CPU: 7, Kind: model.KIPI}, true, 0},
		{model.Step{}, false, 0xffff},
		{model.Step{CPU: 0, Kind: model.KRun}, true, 0},
		{model.Step{}, false, 1 << 3},
	}
	for _, tc := range cases {
		c.put(a, tc.next, tc.ok, tc.cpus)
		next, ok, cpus, hit := c.get(a)
		if !hit || next != tc.next || ok != tc.ok || cpus != tc.cpus {
			t.Errorf("put %+v %v %b, got %+v %v %b (hit %v)", tc.next, tc.ok, tc.cpus, next, ok, cpus, hit)
		}
	}
	others := []fp{
		{a[0], a[1] ^ 1<<63},     // the second word differs in a check bit
		{a[0] ^ memoSlots, a[1]}, // same slot, first word differs
		{a[0] ^ 1, a[1]},         // another slot
	}
	for _, o := range others {
		if _, _, _, hit := c.get(o); hit {
			t.Errorf("memo filled with %x answered %x", a, o)
		}
	}
	c.put(others[1], model.Step{CPU: 1}, true, 0) // evicts a
	if _, _, _, hit := c.get(a); hit {
		t.Error("an evicted state answered")
	}
}

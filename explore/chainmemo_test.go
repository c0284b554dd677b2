package explore

import (
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

// TestChainMemoChangesNothing: answering chainStep from the workers'
// memos gives exactly the search that asks chainStep every time.
func TestChainMemoChangesNothing(t *testing.T) {
	before := memoRehashes.Load()
	sameSearchWithout(t, &testNoChainMemo)
	if memoRehashes.Load() == before {
		t.Error("no state was hashed again for its memo key: the symmetric scenario did not exercise that path")
	}
}

// TestChainMemoSlots: a slot answers only for the fingerprint it was
// filled with, and returns the answer as it was put.
func TestChainMemoSlots(t *testing.T) {
	c := newChainMemo(1, 0)
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

// TestChainMemoSize: the workers' memos take at most a sixteenth of the
// memory cap, down to 1024 slots each.
func TestChainMemoSize(t *testing.T) {
	for _, tc := range []struct {
		workers int
		memCap  int64
		want    int
	}{
		{1, 0, memoSlots},
		{256, 0, memoSlots},
		{1024, 0, 1 << 16}, // 1 GiB in all
		{2, 8 << 30, memoSlots},
		{2, 64 << 20, 1 << 17}, // 2 × 2 MiB = 4 MiB = 64 MiB / 16
		{1024, 4 << 30, 1 << 14},
		{1024, 1 << 20, 1 << 10},
	} {
		if got := len(newChainMemo(tc.workers, tc.memCap).slots); got != tc.want {
			t.Errorf("%d workers, cap %d: %d slots, want %d", tc.workers, tc.memCap, got, tc.want)
		}
	}
}

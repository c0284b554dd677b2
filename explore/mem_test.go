package explore

import (
	"context"
	"testing"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

func TestMachineCapAndBitstateSize(t *testing.T) {
	const M = 1 << 20
	cases := []struct {
		memory, bitBytes, avail int64
		cap, bitstate           int64
	}{
		{0, 0, 0, 0, 256 * M},            // nothing known: the defaults
		{0, 0, 64 * M, 0, 32 * M},        // no cap: half of what is available
		{100 * M, 0, 0, 100 * M, 50 * M}, // availability not known: as asked
		{100 * M, 0, 1024 * M, 100 * M, 50 * M},
		{1024 * M, 0, 64 * M, 56 * M, 28 * M}, // the cap lowered to 7/8 of what is available
		{0, 512 * M, 64 * M, 0, 32 * M},       // an explicit array too
		{0, 8 * M, 64 * M, 0, 8 * M},
	}
	for _, c := range cases {
		cap := machineCap(c.memory, c.avail)
		if b := bitstateSize(cap, c.bitBytes, c.avail); cap != c.cap || b != c.bitstate {
			t.Errorf("memory %d, bit array %d, available %d: cap %d, array %d; want %d, %d",
				c.memory, c.bitBytes, c.avail, cap, b, c.cap, c.bitstate)
		}
	}
}

// TestRunKeepsToTheMachine: with little memory available (injected, so
// nothing large is allocated), a cap or a bit array above it is lowered
// before anything is allocated, and the result says so.
func TestRunKeepsToTheMachine(t *testing.T) {
	const M = 1 << 20
	defer func(f func() int64) { availableMemory = f }(availableMemory)
	m, err := model.New(model.BalanceScenario(), "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		avail           int64
		opt             Options
		cap, storeBytes int64 // storeBytes -1: not checked
	}{
		{64 * M, Options{Store: Bitstate}, 0, 32 * M},
		{64 * M, Options{Store: Bitstate, BitstateBytes: 512 * M}, 0, 32 * M},
		{1024 * M, Options{Store: Bitstate, Memory: 4096 * M}, 896 * M, 448 * M},
		{1024 * M, Options{Memory: 4096 * M}, 896 * M, -1},
		{0, Options{Memory: 4096 * M}, 4096 * M, -1}, // not known: as asked
	}
	for _, c := range cases {
		availableMemory = func() int64 { return c.avail }
		c.opt.Props = properties.Default()
		res, err := Run(context.Background(), m, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if res.MemoryCap != c.cap || (c.storeBytes >= 0 && res.StoreBytes != c.storeBytes) || !res.Complete {
			t.Errorf("%d MiB available, %+v: cap %d, store %d bytes, complete %v; want cap %d, store %d",
				c.avail/M, c.opt, res.MemoryCap, res.StoreBytes, res.Complete, c.cap, c.storeBytes)
		}
	}
}

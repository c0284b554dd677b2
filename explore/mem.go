package explore

// availableMemory is the memory, in bytes, that this process can still
// get from the machine (0: not known): systemAvailable, which tests
// replace.
var availableMemory = systemAvailable

// machineCap is the memory cap a search keeps to: memory (0: none),
// lowered to 7/8 of avail, the memory the machine has available (0: not
// known), where that is less. A cap above what the machine can give
// would not stop a search before the allocation that fails, and a Go
// program cannot recover from that: it dies with "fatal error: runtime:
// out of memory". The eighth left is for the rest of the machine and the
// runtime's own overshoot.
func machineCap(memory, avail int64) int64 {
	if memory > 0 && avail > 0 {
		return min(memory, avail-avail/8)
	}
	return memory
}

// defaultBitstate is the bit array of a bitstate store without a cap.
const defaultBitstate = 256 << 20

// bitstateSize is the size in bytes of a bitstate store's bit array, which
// is allocated in full when the search starts: bitBytes if set, else half
// of memory (the cap, 0: none), else defaultBitstate; and never more than
// half of avail, the memory the machine has available (0: not known).
func bitstateSize(memory, bitBytes, avail int64) int64 {
	size := int64(defaultBitstate)
	if bitBytes > 0 {
		size = bitBytes
	} else if memory > 0 {
		size = memory / 2
	}
	if avail > 0 {
		size = min(size, avail/2)
	}
	return size
}

package explore

import "testing"

func TestFPSetAddsEachFingerprintOnce(t *testing.T) {
	s := newFPSet()
	for round := 0; round < 2; round++ {
		for i := uint64(1); i <= 20000; i++ {
			f := fp{i * 0x9e3779b97f4a7c15, i}
			if got := s.add(f); got != (round == 0) {
				t.Fatalf("round %d: add(%d) = %v", round, i, got)
			}
		}
	}
	if s.len() != 20000 {
		t.Fatalf("len %d", s.len())
	}
	if !s.add(fp{}) || s.add(fp{}) || s.len() != 20001 {
		t.Fatal("zero fingerprint not handled")
	}
}

func TestFingerprintSeesEveryByte(t *testing.T) {
	for n := 0; n < 70; n++ {
		b := make([]byte, n)
		base := fingerprint(b)
		for i := 0; i < n; i++ {
			b[i] = 1
			if fingerprint(b) == base {
				t.Fatalf("len %d: flipping byte %d leaves the fingerprint unchanged", n, i)
			}
			b[i] = 0
		}
	}
}

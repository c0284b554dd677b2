package explore

import (
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

// TestNodeLogAcrossBlocks: ids keep their nodes across block boundaries,
// whatever the sizes of the appends.
func TestNodeLogAcrossBlocks(t *testing.T) {
	var l nodeLog
	n := 2*nodeBlock + 12345
	for i := 0; i < n; {
		k := min(n-i, 1+i%70001)
		batch := make([]node, k)
		for j := range batch {
			batch[j] = node{parent: uint32(i + j), via: model.Step{CPU: int8((i + j) % 7)}}
		}
		l.append(batch...)
		i += k
	}
	if l.len() != n {
		t.Fatalf("len %d, want %d", l.len(), n)
	}
	for _, id := range []int{0, 1, nodeBlock - 1, nodeBlock, nodeBlock + 1, 2 * nodeBlock, n - 1} {
		if got := l.at(uint32(id)); got.parent != uint32(id) || got.via.CPU != int8(id%7) {
			t.Errorf("at(%d) = %+v", id, got)
		}
	}
}

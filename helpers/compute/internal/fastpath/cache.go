package fastpath

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"

	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

// Packed weights are cached only when the weight is a Constant node of the
// executable: simplego keeps a constant's buffer for the executable's
// lifetime and never hands it to an executor as writable, so its contents
// cannot change and the cache cannot go stale. Variables and computed
// operands (e.g. a kernel scaled by folded batch-norm factors) arrive in
// buffers that simplego's pool reuses and that training updates in place,
// so they are packed on every call. The cache is keyed by the consuming
// node (weakly, so it is dropped with the executable) and kernel level.
type cacheKey struct {
	node  weak.Pointer[simplego.Node]
	level kernels.Level
}

var (
	packCache sync.Map // cacheKey → *kernels.PackedB
	// PackHits and PackMisses count cache lookups, for tests.
	packHits, packMisses atomic.Int64
)

// CacheStats returns the packed-weight cache's hits and misses so far.
func CacheStats() (hits, misses int64) { return packHits.Load(), packMisses.Load() }

// cachedPack returns the packed B of node's input #input if that input is
// a constant (packing it on first use), else nil.
func cachedPack(set *kernels.Set, node *simplego.Node, input, k, n int, src func() kernels.BSource) *kernels.PackedB {
	ins := inputsOf(node)
	if input >= len(ins) || opTypeOf(ins[input]) != backends.OpTypeConstant {
		return nil
	}
	key := cacheKey{node: weak.Make(node), level: set.Level()}
	if p, ok := packCache.Load(key); ok {
		packHits.Add(1)
		return p.(*kernels.PackedB)
	}
	packMisses.Add(1)
	p := set.PackB(k, n, src(), nil)
	if _, loaded := packCache.LoadOrStore(key, p); !loaded {
		runtime.AddCleanup(node, func(k cacheKey) { packCache.Delete(k) }, key)
	}
	return p
}

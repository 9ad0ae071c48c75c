package optim

import (
	"fmt"
	"sort"
)

// SyncReplicas models TF1's SyncReplicasOptimizer as a synchronous
// aggregator around a wrapped optimizer: replicas Push gradients computed at
// some local step; gradients older than the global step are dropped (TF's
// ConditionalAccumulator drops them); once replicas_to_aggregate fresh
// gradients are in, their mean is applied with one step of the wrapped
// optimizer and the global step advances.
//
// Dense gradients are averaged over the pushes that carried them; sparse
// gradients are averaged row by row over the pushes that touched each row,
// as TF's SparseConditionalAccumulator does. Scale the learning rate
// accordingly (a mean, not a sum). TF's token queue, which makes the first
// gradients computed after start-up stale, is not modelled: pass the local
// step each replica read to Push and the dropping follows.
type SyncReplicas[T Float] struct {
	opt                 *Optimizer[T]
	replicasToAggregate int
	totalNumReplicas    int
	globalStep          int64
	fresh               int // pushes accepted in the current round
	dropped             int64
	acc                 map[string]*syncAccum[T]
}

type syncAccum[T Float] struct {
	sparse bool
	dense  []T
	count  int
	rows   map[int][]T
	counts map[int]int
}

// NewSyncReplicas wraps opt. replicasToAggregate is how many gradients make
// one update; totalNumReplicas (0 means replicasToAggregate) is how many
// replicas exist, more meaning backup replicas, fewer meaning replicas that
// push several gradients per round.
func NewSyncReplicas[T Float](opt *Optimizer[T], replicasToAggregate, totalNumReplicas int) (*SyncReplicas[T], error) {
	if opt == nil {
		return nil, fmt.Errorf("optim: SyncReplicas needs an optimizer to wrap")
	}
	if replicasToAggregate < 1 {
		return nil, fmt.Errorf("optim: SyncReplicas: replicas_to_aggregate must be at least 1, got %d", replicasToAggregate)
	}
	if totalNumReplicas == 0 {
		totalNumReplicas = replicasToAggregate
	}
	if totalNumReplicas < 1 {
		return nil, fmt.Errorf("optim: SyncReplicas: total_num_replicas must be at least 1, got %d", totalNumReplicas)
	}
	return &SyncReplicas[T]{opt: opt, replicasToAggregate: replicasToAggregate, totalNumReplicas: totalNumReplicas,
		acc: map[string]*syncAccum[T]{}}, nil
}

// NewSyncReplicasFromParams is NewSyncReplicas with TF1's argument names:
// replicas_to_aggregate (required) and total_num_replicas (default: None,
// meaning replicas_to_aggregate); use_locking and name are accepted and
// ignored. variable_averages is not supported.
func NewSyncReplicasFromParams[T Float](opt *Optimizer[T], params map[string]any) (*SyncReplicas[T], error) {
	valid := "replicas_to_aggregate, total_num_replicas, use_locking, name"
	toAgg, total := -1, 0
	for k, v := range params {
		switch k {
		case "replicas_to_aggregate", "total_num_replicas":
			f, err := toFloat(v, Number)
			if err != nil || f != float64(int(f)) {
				return nil, fmt.Errorf("optim: SyncReplicas parameter %s: want an integer, got %v", k, v)
			}
			if k == "replicas_to_aggregate" {
				toAgg = int(f)
			} else if v != nil {
				total = int(f)
			}
		case "use_locking", "name":
		case "variable_averages", "variables_to_average":
			return nil, fmt.Errorf("optim: SyncReplicas: %s is not supported", k)
		default:
			return nil, fmt.Errorf("optim: SyncReplicas has no parameter %q (valid: %s)", k, valid)
		}
	}
	if toAgg < 0 {
		return nil, fmt.Errorf("optim: SyncReplicas needs parameter replicas_to_aggregate")
	}
	return NewSyncReplicas(opt, toAgg, total)
}

// Optimizer returns the wrapped optimizer (its variables and slots).
func (s *SyncReplicas[T]) Optimizer() *Optimizer[T] { return s.opt }

// GlobalStep returns the number of aggregated updates applied.
func (s *SyncReplicas[T]) GlobalStep() int64 { return s.globalStep }

// Pending returns how many fresh gradients wait for the current round.
func (s *SyncReplicas[T]) Pending() int { return s.fresh }

// Dropped returns how many stale pushes were discarded so far.
func (s *SyncReplicas[T]) Dropped() int64 { return s.dropped }

// PushResult says what became of one Push.
type PushResult int

const (
	// Accumulated: the gradients wait for more replicas.
	Accumulated PushResult = iota
	// Applied: this push completed a round; the wrapped optimizer stepped.
	Applied
	// Stale: computed at a local step older than the global step; dropped.
	Stale
)

func (p PushResult) String() string {
	return [...]string{"accumulated", "applied", "stale"}[p]
}

// Push offers one replica's gradients, computed with the variables of
// localStep (the global step the replica read).
func (s *SyncReplicas[T]) Push(localStep int64, grads map[string]Grad[T]) (PushResult, error) {
	for name, g := range grads {
		i, ok := s.opt.index[name]
		if !ok {
			return 0, fmt.Errorf("optim: SyncReplicas: gradient for unknown variable %q", name)
		}
		if err := checkGrad(s.opt.vars[i], g); err != nil {
			return 0, err
		}
		if a, ok := s.acc[name]; ok && a.sparse != g.IsSparse() {
			return 0, fmt.Errorf("optim: SyncReplicas: variable %q got both dense and sparse gradients in one round", name)
		}
	}
	if localStep < s.globalStep {
		s.dropped++
		return Stale, nil
	}
	for name, g := range grads {
		v := s.opt.vars[s.opt.index[name]]
		a, ok := s.acc[name]
		if !ok {
			a = &syncAccum[T]{sparse: g.IsSparse(), rows: map[int][]T{}, counts: map[int]int{}}
			s.acc[name] = a
		}
		if a.sparse {
			idx, vals := dedup(g.Indices, g.Values, v.cols)
			for k, r := range idx {
				row := a.rows[r]
				if row == nil {
					row = make([]T, v.cols)
					a.rows[r] = row
				}
				for j := range row {
					row[j] += vals[k*v.cols+j]
				}
				a.counts[r]++
			}
		} else {
			if a.dense == nil {
				a.dense = make([]T, len(g.Dense))
			}
			for j := range a.dense {
				a.dense[j] += g.Dense[j]
			}
			a.count++
		}
	}
	s.fresh++
	if s.fresh < s.replicasToAggregate {
		return Accumulated, nil
	}
	avg := map[string]Grad[T]{}
	for name, a := range s.acc {
		if a.sparse {
			rows := make([]int, 0, len(a.rows))
			for r := range a.rows {
				rows = append(rows, r)
			}
			sort.Ints(rows)
			var vals []T
			for _, r := range rows {
				c := T(a.counts[r])
				for _, x := range a.rows[r] {
					vals = append(vals, x/c)
				}
			}
			avg[name] = Sparse(rows, vals)
		} else {
			c := T(a.count)
			d := make([]T, len(a.dense))
			for j, x := range a.dense {
				d[j] = x / c
			}
			avg[name] = Dense(d)
		}
	}
	if err := s.opt.Step(avg); err != nil {
		return 0, err
	}
	s.acc = map[string]*syncAccum[T]{}
	s.fresh = 0
	s.globalStep++
	return Applied, nil
}

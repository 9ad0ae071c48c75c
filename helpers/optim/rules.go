package optim

import "math"

// rule is one optimizer's update. dense updates whole variables; sparse gets
// the raw indexed rows (rules dedup them as TF does). prepare runs before the
// variables of a step are updated (done = steps already done) and finish
// after, like TF's _prepare and _finish.
type rule[T Float] interface {
	slotInits() []T
	prepare(done int64)
	dense(v, g []T, s [][]T)
	sparse(v *variable[T], indices []int, values []T)
	finish()
	nonSlot() map[string]float64
}

func newRule[T Float](name string, h Hyper) rule[T] {
	lr := hp[T](h["learning_rate"])
	switch name {
	case "GradientDescent":
		return &gdRule[T]{lr: lr}
	case "Momentum":
		return &momentumRule[T]{lr: lr, mu: hp[T](h["momentum"]), nesterov: h["use_nesterov"] != 0}
	case "Adam":
		return &adamRule[T]{lr: lr, b1: hp[T](h["beta1"]), b2: hp[T](h["beta2"]), eps: hp[T](h["epsilon"]),
			b1f: float32(h["beta1"]), b2f: float32(h["beta2"]), b1p: float32(h["beta1"]), b2p: float32(h["beta2"])}
	case "Adagrad":
		return &adagradRule[T]{lr: lr, init: hp[T](h["initial_accumulator_value"])}
	case "AdagradDA":
		return &adagradDARule[T]{lr: lr, init: hp[T](h["initial_gradient_squared_accumulator_value"]),
			l1: hp[T](h["l1_regularization_strength"]), l2: hp[T](h["l2_regularization_strength"])}
	case "Adadelta":
		return &adadeltaRule[T]{lr: lr, rho: hp[T](h["rho"]), eps: hp[T](h["epsilon"])}
	case "RMSProp":
		return &rmspropRule[T]{lr: lr, rho: hp[T](h["decay"]), mu: hp[T](h["momentum"]), eps: hp[T](h["epsilon"]), centered: h["centered"] != 0}
	case "Ftrl":
		beta := h["beta"]
		if math.IsNaN(beta) {
			beta = 0
		}
		// ftrl.py folds beta into l2 with float32 tensor arithmetic:
		// l2 + beta / (2 * maximum(lr, 1e-36)).
		l2 := float32(h["l2_regularization_strength"]) + float32(beta)/(2*max(float32(h["learning_rate"]), float32(1e-36)))
		return &ftrlRule[T]{lr: lr, power: hp[T](h["learning_rate_power"]), init: hp[T](h["initial_accumulator_value"]),
			l1: hp[T](h["l1_regularization_strength"]), l2: T(l2), shrink: hp[T](h["l2_shrinkage_regularization_strength"]),
			half: float32(h["learning_rate_power"]) == -0.5}
	case "ProximalAdagrad":
		return &proxAdagradRule[T]{lr: lr, init: hp[T](h["initial_accumulator_value"]),
			l1: hp[T](h["l1_regularization_strength"]), l2: hp[T](h["l2_regularization_strength"])}
	case "ProximalGradientDescent":
		return &proxGDRule[T]{lr: lr, l1: hp[T](h["l1_regularization_strength"]), l2: hp[T](h["l2_regularization_strength"])}
	}
	panic("optim: no rule for " + name) // unreachable: names come from specs
}

// rowwise applies dense to each (deduplicated) row: the sparse kernels of
// most optimizers run the dense formula on the listed rows only.
func rowwise[T Float](v *variable[T], indices []int, values []T, dense func(v, g []T, s [][]T)) {
	idx, vals := dedup(indices, values, v.cols)
	s := make([][]T, len(v.slots))
	c := v.cols
	for i, r := range idx {
		for k := range s {
			s[k] = v.slots[k][r*c : (r+1)*c]
		}
		dense(v.value[r*c:(r+1)*c], vals[i*c:(i+1)*c], s)
	}
}

type noState struct{}

func (noState) prepare(int64)               {}
func (noState) finish()                     {}
func (noState) nonSlot() map[string]float64 { return nil }

// §1 GradientDescent: var -= g·lr.
type gdRule[T Float] struct {
	noState
	lr T
}

func (r *gdRule[T]) slotInits() []T { return nil }
func (r *gdRule[T]) dense(v, g []T, _ [][]T) {
	for i := range v {
		v[i] -= g[i] * r.lr
	}
}

// sparse is a scatter-subtract of g·lr: duplicate rows subtract one after
// the other (TF's GradientDescent skips the dedup step).
func (r *gdRule[T]) sparse(v *variable[T], indices []int, values []T) {
	c := v.cols
	for i, row := range indices {
		dst := v.value[row*c : (row+1)*c]
		for j := range dst {
			dst[j] -= values[i*c+j] * r.lr
		}
	}
}

// §2 Momentum: a = a·μ + g; var -= a·lr (Nesterov: var -= g·lr + a·μ·lr).
type momentumRule[T Float] struct {
	noState
	lr, mu   T
	nesterov bool
}

func (r *momentumRule[T]) slotInits() []T { return []T{0} }
func (r *momentumRule[T]) dense(v, g []T, s [][]T) {
	a := s[0]
	for i := range v {
		a[i] = a[i]*r.mu + g[i]
		if r.nesterov {
			v[i] -= g[i]*r.lr + a[i]*r.mu*r.lr
		} else {
			v[i] -= a[i] * r.lr
		}
	}
}
func (r *momentumRule[T]) sparse(v *variable[T], idx []int, vals []T) { rowwise(v, idx, vals, r.dense) }

// §3 Adam (ApplyAdamNonCuda): α = lr·sqrt(1-β2^t)/(1-β1^t); m += (g-m)·(1-β1);
// v += (g²-v)·(1-β2); var -= m·α/(sqrt(v)+ε). The β powers are float32
// variables advanced in _finish.
type adamRule[T Float] struct {
	lr, b1, b2, eps T
	b1f, b2f        float32
	b1p, b2p        float32 // beta1_power, beta2_power: β^t during step t
	alpha           T
}

func (r *adamRule[T]) slotInits() []T { return []T{0, 0} }
func (r *adamRule[T]) prepare(int64) {
	r.alpha = r.lr * sqrt(1-T(r.b2p)) / (1 - T(r.b1p))
}
func (r *adamRule[T]) finish() {
	r.b1p *= r.b1f
	r.b2p *= r.b2f
}
func (r *adamRule[T]) nonSlot() map[string]float64 {
	// After a step these hold β^(t+1), ready for the next step, as in TF.
	return map[string]float64{"beta1_power": float64(r.b1p), "beta2_power": float64(r.b2p)}
}
func (r *adamRule[T]) dense(v, g []T, s [][]T) {
	m, vv := s[0], s[1]
	omb1, omb2 := 1-r.b1, 1-r.b2
	for i := range v {
		m[i] += (g[i] - m[i]) * omb1
		vv[i] += (g[i]*g[i] - vv[i]) * omb2
		v[i] -= m[i] * r.alpha / (sqrt(vv[i]) + r.eps)
	}
}

// sparse follows adam.py's _apply_sparse_shared: every row decays, the
// listed rows get the scaled gradient added, and every row of var moves.
func (r *adamRule[T]) sparse(v *variable[T], indices []int, values []T) {
	idx, vals := dedup(indices, values, v.cols)
	m, vv, c := v.slots[0], v.slots[1], v.cols
	for i := range m {
		m[i] *= r.b1
	}
	for k, row := range idx {
		for j := 0; j < c; j++ {
			m[row*c+j] += vals[k*c+j] * (1 - r.b1)
		}
	}
	for i := range vv {
		vv[i] *= r.b2
	}
	for k, row := range idx {
		for j := 0; j < c; j++ {
			g := vals[k*c+j]
			vv[row*c+j] += (g * g) * (1 - r.b2)
		}
	}
	for i := range v.value {
		v.value[i] -= r.alpha * m[i] / (sqrt(vv[i]) + r.eps)
	}
}

// §4 Adagrad: acc += g²; var -= g·lr·rsqrt(acc).
type adagradRule[T Float] struct {
	noState
	lr, init T
}

func (r *adagradRule[T]) slotInits() []T { return []T{r.init} }
func (r *adagradRule[T]) dense(v, g []T, s [][]T) {
	acc := s[0]
	for i := range v {
		acc[i] += g[i] * g[i]
		v[i] -= g[i] * r.lr * (1 / sqrt(acc[i]))
	}
}
func (r *adagradRule[T]) sparse(v *variable[T], idx []int, vals []T) { rowwise(v, idx, vals, r.dense) }

// §5 AdagradDA: ga += g; gg += g²; var = -lr·sign(ga)·max(|ga|-T·l1,0)/(T·l2·lr+sqrt(gg))
// with T = global_step + 1 (converted to float32, as the kernel does).
type adagradDARule[T Float] struct {
	noState
	lr, init, l1, l2 T
	t                T
}

func (r *adagradDARule[T]) slotInits() []T { return []T{0, r.init} }
func (r *adagradDARule[T]) prepare(done int64) {
	r.t = T(float32(done + 1))
}
func (r *adagradDARule[T]) dense(v, g []T, s [][]T) {
	ga, gg := s[0], s[1]
	den0 := r.t * r.l2 * r.lr
	for i := range v {
		ga[i] += g[i]
		gg[i] += g[i] * g[i]
		if r.l1 > 0 {
			v[i] = -1 * r.lr * sign(ga[i]) * max(abs(ga[i])-r.t*r.l1, 0) / (den0 + sqrt(gg[i]))
		} else {
			v[i] = -1 * r.lr * ga[i] / (den0 + sqrt(gg[i]))
		}
	}
}

// sparse uses the sparse kernel's algebraically equal form
// -sign(ga)·max(|ga|/T - l1, 0)/(l2 + sqrt(gg)/(T·lr)).
func (r *adagradDARule[T]) sparse(v *variable[T], indices []int, values []T) {
	rowwise(v, indices, values, func(vr, g []T, s [][]T) {
		ga, gg := s[0], s[1]
		for i := range vr {
			ga[i] += g[i]
			gg[i] += g[i] * g[i]
			if r.l1 > 0 {
				vr[i] = -sign(ga[i]) * max(abs(ga[i])/r.t-r.l1, 0) / (r.l2 + sqrt(gg[i])/(r.t*r.lr))
			} else {
				vr[i] = -(ga[i] / r.t) / (r.l2 + sqrt(gg[i])/(r.t*r.lr))
			}
		}
	})
}

// §6 Adadelta: accum = accum·ρ + g²·(1-ρ); u = sqrt(au+ε)·rsqrt(accum+ε)·g;
// var -= u·lr; au = au·ρ + u²·(1-ρ).
type adadeltaRule[T Float] struct {
	noState
	lr, rho, eps T
}

func (r *adadeltaRule[T]) slotInits() []T { return []T{0, 0} }
func (r *adadeltaRule[T]) dense(v, g []T, s [][]T) {
	acc, au := s[0], s[1]
	for i := range v {
		acc[i] = acc[i]*r.rho + g[i]*g[i]*(1-r.rho)
		u := sqrt(au[i]+r.eps) * (1 / sqrt(acc[i]+r.eps)) * g[i]
		v[i] -= u * r.lr
		au[i] = au[i]*r.rho + u*u*(1-r.rho)
	}
}
func (r *adadeltaRule[T]) sparse(v *variable[T], idx []int, vals []T) { rowwise(v, idx, vals, r.dense) }

// §7 RMSProp: ms += (g²-ms)·(1-ρ); [mg += (g-mg)·(1-ρ)];
// mom = mom·μ + g·lr/sqrt(ms[-mg²]+ε); var -= mom. rms starts at 1.
type rmspropRule[T Float] struct {
	noState
	lr, rho, mu, eps T
	centered         bool
}

func (r *rmspropRule[T]) slotInits() []T {
	if r.centered {
		return []T{1, 0, 0}
	}
	return []T{1, 0}
}
func (r *rmspropRule[T]) dense(v, g []T, s [][]T) {
	ms, mom := s[0], s[1]
	omr := 1 - r.rho
	for i := range v {
		ms[i] += (g[i]*g[i] - ms[i]) * omr
		var den T
		if r.centered {
			mg := s[2]
			mg[i] += (g[i] - mg[i]) * omr
			den = ms[i] - mg[i]*mg[i] + r.eps
		} else {
			den = ms[i] + r.eps
		}
		mom[i] = mom[i]*r.mu + g[i]*r.lr/sqrt(den)
		v[i] -= mom[i]
	}
}
func (r *rmspropRule[T]) sparse(v *variable[T], idx []int, vals []T) { rowwise(v, idx, vals, r.dense) }

// §8 Ftrl (ApplyFtrl / ApplyFtrlV2).
type ftrlRule[T Float] struct {
	noState
	lr, power, init, l1, l2, shrink T
	half                            bool // learning_rate_power == -0.5: sqrt instead of pow
}

func (r *ftrlRule[T]) slotInits() []T          { return []T{r.init, 0} }
func (r *ftrlRule[T]) dense(v, g []T, s [][]T) { r.update(v, g, s, r.half, false) }

// sparse: one-column variables take the kernel's per-element path, which
// always uses pow and clamps z to [-l1, l1].
func (r *ftrlRule[T]) sparse(v *variable[T], indices []int, values []T) {
	perElement := v.cols == 1
	rowwise(v, indices, values, func(vr, g []T, s [][]T) { r.update(vr, g, s, r.half && !perElement, perElement) })
}

func (r *ftrlRule[T]) update(v, g []T, s [][]T, useSqrt, clamp bool) {
	n, z := s[0], s[1]
	p := -r.power
	for i := range v {
		gs := g[i]
		if r.shrink > 0 {
			gs = g[i] + 2*r.shrink*v[i]
		}
		n1 := n[i] + g[i]*g[i]
		var sigma, q T
		if useSqrt {
			sigma = (sqrt(n1) - sqrt(n[i])) / r.lr
			q = sqrt(n1)/r.lr + 2*r.l2
		} else {
			pn1 := pow(n1, p) // the kernel evaluates it twice; once gives the same value
			sigma = (pn1 - pow(n[i], p)) / r.lr
			q = pn1/r.lr + 2*r.l2
		}
		z[i] += gs - sigma*v[i]
		if clamp {
			zc := min(max(z[i], -r.l1), r.l1)
			if abs(z[i]) > r.l1 {
				v[i] = (zc - z[i]) / q
			} else {
				v[i] = 0
			}
		} else if abs(z[i]) > r.l1 {
			v[i] = (sign(z[i])*r.l1 - z[i]) / q
		} else {
			v[i] = 0
		}
		n[i] = n1
	}
}

// §9 ProximalAdagrad: acc += g²; η = lr·rsqrt(acc); p = var - g·η;
// var = sign(p)·max(|p|-η·l1, 0)/(1+η·l2).
type proxAdagradRule[T Float] struct {
	noState
	lr, init, l1, l2 T
}

func (r *proxAdagradRule[T]) slotInits() []T { return []T{r.init} }
func (r *proxAdagradRule[T]) dense(v, g []T, s [][]T) {
	acc := s[0]
	for i := range v {
		acc[i] += g[i] * g[i]
		eta := (1 / sqrt(acc[i])) * r.lr
		p := v[i] - g[i]*eta
		if r.l1 > 0 {
			v[i] = sign(p) * max(abs(p)-eta*r.l1, 0) / (eta*r.l2 + 1)
		} else {
			v[i] = p / (eta*r.l2 + 1)
		}
	}
}
func (r *proxAdagradRule[T]) sparse(v *variable[T], idx []int, vals []T) {
	rowwise(v, idx, vals, r.dense)
}

// §10 ProximalGradientDescent: p = var - g·lr; var = sign(p)·max(|p|-lr·l1,0)/(1+lr·l2).
type proxGDRule[T Float] struct {
	noState
	lr, l1, l2 T
}

func (r *proxGDRule[T]) slotInits() []T { return nil }
func (r *proxGDRule[T]) dense(v, g []T, _ [][]T) {
	for i := range v {
		p := v[i] - g[i]*r.lr
		if r.l1 > 0 {
			v[i] = sign(p) * max(abs(p)-r.lr*r.l1, 0) / (1 + r.lr*r.l2)
		} else {
			v[i] = p / (1 + r.lr*r.l2)
		}
	}
}
func (r *proxGDRule[T]) sparse(v *variable[T], idx []int, vals []T) { rowwise(v, idx, vals, r.dense) }

package train

// EvalLog picks the evaluations a log shows. retrain.py logs every
// evaluation (after the first step, every eval_step_interval steps and after
// the last): three lines each, so 4,000 steps make 1,200 lines. EvalLog keeps
// retrain.py's evaluation steps but logs about Max of them, evenly spaced:
// the first, the first one past each multiple of Every, and the last. The
// run's Result still holds every evaluation.
type EvalLog struct {
	// Every is the number of steps between logged evaluations: a
	// multiple of the evaluation interval.
	Every  int
	last   int // the run's last step, whose evaluation is always logged
	logged int // step of the last logged evaluation; -1 before the first
}

// NewEvalLog returns the log of a run from step first (0, or a resumed
// global step) to step last, evaluated every interval steps, that logs
// about max evaluations besides the first and the last. max ≤ 0 logs every
// evaluation, as retrain.py does.
func NewEvalLog(first, last, interval, max int) *EvalLog {
	interval = max1(interval)
	l := &EvalLog{Every: interval, last: last, logged: -1}
	if steps := last - first; max > 0 && steps > interval*max {
		evalsPerLine := (steps + interval*max - 1) / (interval * max)
		l.Every = interval * evalsPerLine
	}
	return l
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// Thinned reports whether the log leaves evaluations out.
func (l *EvalLog) Thinned(interval int) bool { return l.Every > max1(interval) }

// Keep reports whether the evaluation after step (EvalPoint.Step) is
// logged. Call it once per evaluation, in order.
func (l *EvalLog) Keep(step int) bool {
	if step == l.last || l.logged < 0 || step/l.Every > l.logged/l.Every {
		l.logged = step
		return true
	}
	return false
}

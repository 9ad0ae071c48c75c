package train

// EvalLog picks the evaluations a log shows. retrain.py logs every
// evaluation (after the first step, every eval_step_interval steps and after
// the last): three lines each, so 4,000 steps make 1,200 lines. EvalLog
// keeps retrain.py's evaluation steps but logs about maxLogged of them
// (NewEvalLog), evenly spaced: the first, the first one past each multiple
// of Every, and the last. The run's Result still holds every evaluation.
type EvalLog struct {
	// Every is the number of steps between logged evaluations: a
	// multiple of the evaluation interval.
	Every    int
	interval int // the evaluation interval, at least 1
	last     int // the run's last step, whose evaluation is always logged
	logged   int // step of the last logged evaluation; -1 before the first
}

// NewEvalLog returns the log of a run from step first (0, or a resumed
// global step) to step last, evaluated every interval steps, that logs
// about maxLogged evaluations besides the first and the last. maxLogged ≤ 0
// logs every evaluation, as retrain.py does.
func NewEvalLog(first, last, interval, maxLogged int) *EvalLog {
	interval = max(1, interval)
	l := &EvalLog{Every: interval, interval: interval, last: last, logged: -1}
	if steps := last - first; maxLogged > 0 && steps > interval*maxLogged {
		evalsPerLine := (steps + interval*maxLogged - 1) / (interval * maxLogged)
		l.Every = interval * evalsPerLine
	}
	return l
}

// Thinned reports whether the log leaves evaluations out.
func (l *EvalLog) Thinned() bool { return l.Every > l.interval }

// Keep reports whether the evaluation after step (EvalPoint.Step) is
// logged. Call it once per evaluation, in order.
func (l *EvalLog) Keep(step int) bool {
	if step == l.last || l.logged < 0 || step/l.Every > l.logged/l.Every {
		l.logged = step
		return true
	}
	return false
}

package compute

import "fmt"

// catch turns a GoMLX panic raised while building op into an error (GoMLX
// reports graph-building problems by panicking).
func catch(op string, err *error) {
	if r := recover(); r != nil {
		if e, ok := r.(error); ok {
			*err = fmt.Errorf("compute: %s: %w", op, e)
		} else {
			*err = fmt.Errorf("compute: %s: %v", op, r)
		}
	}
}

func errorf(op, format string, args ...any) error {
	return fmt.Errorf("compute: %s: "+format, append([]any{op}, args...)...)
}

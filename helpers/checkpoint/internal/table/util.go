package table

import "errors"

var errStop = errors.New("stop")

func errorsAs(err error, target any) bool { return errors.As(err, target) }

package limits

import (
	"fmt"
	"math"
)

// Product returns the number of elements of a tensor of shape dims (1 for a
// scalar), failing on a negative dimension or a product that overflows an
// int64. It does not apply TensorElements; use it for tensors that already
// exist in memory.
func Product(dims []int64) (int64, error) {
	n := int64(1)
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", dims)
		}
		if d == 0 {
			n = 0
		}
	}
	if n == 0 {
		return 0, nil // a zero dimension makes the others irrelevant, however large
	}
	for _, d := range dims {
		if n > math.MaxInt64/d {
			return 0, &overflowError{dims}
		}
		n *= d
	}
	return n, nil
}

type overflowError struct{ dims []int64 }

func (e *overflowError) Error() string {
	return fmt.Sprintf("shape %v has more elements than an int64 can count", e.dims)
}

// Elements returns the element count of shape dims, failing on a negative
// dimension, and with an *ExceededError when the count is beyond
// TensorElements (or beyond an int64). Readers call it with a declared shape
// before they allocate anything for it.
func Elements(dims []int64) (int64, error) {
	n, err := Product(dims)
	what := fmt.Sprintf("tensor of shape %v", dims)
	if _, ok := err.(*overflowError); ok {
		return 0, &ExceededError{Limit: TensorElements, What: what, Overflow: true}
	}
	if err != nil {
		return 0, err
	}
	if err := TensorElements.Check(n, what); err != nil {
		return 0, err
	}
	return n, nil
}

// MulBytes returns n*size, or an error if it overflows an int64.
func MulBytes(n, size int64) (int64, error) {
	if n < 0 || size < 0 || (size != 0 && n > math.MaxInt64/size) {
		return 0, fmt.Errorf("%d elements of %d bytes overflow an int64", n, size)
	}
	return n * size, nil
}

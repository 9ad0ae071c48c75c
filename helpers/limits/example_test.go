package limits_test

import (
	"errors"
	"fmt"

	"github.com/gotl/gotl/helpers/limits"
)

// A reader checks a declared shape before allocating it.
func ExampleElements() {
	_, err := limits.Elements([]int64{100000000})
	fmt.Println(err)
	fmt.Println(errors.Is(err, limits.ErrExceeded))

	// A program that really has such tensors raises the limit (or sets
	// GOTL_MAX_TENSOR_ELEMENTS=2e8 in the environment).
	defer limits.TensorElements.Set(limits.TensorElements.Set(2e8))
	n, err := limits.Elements([]int64{100000000})
	fmt.Println(n, err)
	// Output:
	// tensor of shape [100000000] needs 100000000 elements, more than the limit of 67108864 (tensor elements; raise it with GOTL_MAX_TENSOR_ELEMENTS)
	// true
	// 100000000 <nil>
}

package optim_test

import (
	"fmt"

	"github.com/gotl/gotl/helpers/optim"
)

// Three Adagrad steps of TF's adagrad_test.py testBasic.
func Example() {
	opt, err := optim.New[float32](optim.Config{
		Optimizer: "Adagrad",
		Params:    map[string]any{"learning_rate": 3.0, "initial_accumulator_value": 0.1},
	})
	if err != nil {
		panic(err)
	}
	opt.AddVar("var0", []float32{1, 2})
	for i := 0; i < 3; i++ {
		opt.Step(map[string]optim.Grad[float32]{"var0": optim.Dense([]float32{0.1, 0.1})})
	}
	fmt.Printf("var0 %.6f\n", opt.Var("var0"))
	fmt.Printf("accumulator %.2f\n", opt.Slot("var0", "accumulator"))
	// Output:
	// var0 [-1.602610 -0.602610]
	// accumulator [0.13 0.13]
}

// Stepping Adam and reading its slots and β powers after each step.
func ExampleOptimizer_Step() {
	opt := optim.MustNew[float64](optim.Config{Optimizer: "Adam", Params: map[string]any{"learning_rate": 0.1}})
	opt.AddVar("w", []float64{1})
	for step := 1; step <= 2; step++ {
		w := opt.Var("w")[0]
		opt.Step(map[string]optim.Grad[float64]{"w": optim.Dense([]float64{2 * w})}) // loss w²
		fmt.Printf("step %d: w=%.4f m=%.4f v=%.6f beta1_power=%.4f\n", step,
			opt.Var("w")[0], opt.Slot("w", "m")[0], opt.Slot("w", "v")[0], opt.NonSlot()["beta1_power"])
	}
	// Output:
	// step 1: w=0.9000 m=0.2000 v=0.004000 beta1_power=0.8100
	// step 2: w=0.8004 m=0.3600 v=0.007236 beta1_power=0.7290
}

// Sparse gradients: rows 1 and 1 again (summed), row 0 untouched.
func ExampleSparse() {
	opt := optim.MustNew[float64](optim.Config{Optimizer: "GradientDescent", Params: map[string]any{"learning_rate": 1.0}})
	opt.AddVar("emb", []float64{1, 1, 1, 1}, 2, 2)
	opt.Step(map[string]optim.Grad[float64]{"emb": optim.Sparse([]int{1, 1}, []float64{0.25, 0.5, 0.25, 0.5})})
	fmt.Println(opt.Var("emb"))
	// Output: [1 1 0.5 0]
}

// Two replicas' gradients averaged into one GradientDescent step.
func ExampleSyncReplicas() {
	opt := optim.MustNew[float64](optim.Config{Optimizer: "GradientDescent", Params: map[string]any{"learning_rate": 2.0}})
	opt.AddVar("v", []float64{0})
	sync, _ := optim.NewSyncReplicas(opt, 2, 2)
	r1, _ := sync.Push(0, map[string]optim.Grad[float64]{"v": optim.Dense([]float64{0.1})})
	r2, _ := sync.Push(0, map[string]optim.Grad[float64]{"v": optim.Dense([]float64{0.3})})
	r3, _ := sync.Push(0, map[string]optim.Grad[float64]{"v": optim.Dense([]float64{9})})
	fmt.Printf("%v %v %v v=%.1f\n", r1, r2, r3, opt.Var("v")[0])
	// Output: accumulated applied stale v=-0.4
}

// Labels for legends: the optimizer, and the flags that change its rule.
func ExampleConfig_Label() {
	for _, c := range []optim.Config{
		{Optimizer: "Momentum", Params: map[string]any{"momentum": 0.9}},
		{Optimizer: "Momentum", Params: map[string]any{"momentum": 0.9, "use_nesterov": true}},
		{Optimizer: "RMSProp", Params: map[string]any{"momentum": 0.9, "centered": true}},
	} {
		fmt.Println(c.Label())
	}
	// Output:
	// Momentum
	// Momentum(nesterov)
	// RMSProp(centered,momentum)
}

// TF1's signatures, and which optimizers have no default learning rate
// (New refuses them without one, as TF1's constructors do).
func ExampleSpec_Arguments() {
	m, _ := optim.Lookup("Momentum")
	fmt.Println("Momentum:", m.Arguments())
	a, _ := optim.Lookup("Adam")
	fmt.Println("Adam:", a.Arguments())
	var required []string
	for _, s := range optim.Specs() {
		if s.RequiresLearningRate() {
			required = append(required, s.Name)
		}
	}
	fmt.Println(len(required), "without a default learning rate:", required)
	// Output:
	// Momentum: learning_rate (required), momentum (required), use_nesterov=False
	// Adam: learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08
	// 8 without a default learning rate: [GradientDescent Momentum Adagrad AdagradDA RMSProp Ftrl ProximalAdagrad ProximalGradientDescent]
}

func ExampleConfig_String() {
	fmt.Println(optim.Config{Optimizer: "RMSProp", Params: map[string]any{"momentum": 0.9, "centered": true, "learning_rate": 0.01}})
	fmt.Println(optim.Config{Optimizer: "Adam", LearningRate: 0.001, Params: map[string]any{"learning_rate": 0.5}})
	// Output:
	// RMSProp(centered=True, learning_rate=0.01, momentum=0.9)
	// Adam(learning_rate=0.001)
}

package nb

import "time"

// WidgetTimeout is how long the first widget of a program waits for the
// notebook's front end to answer before concluding that none is attached
// (headless execution with nbconvert) and falling back to scripted
// behaviour. GoNB itself waits up to 3 s for the browser's connection.
var WidgetTimeout = 6 * time.Second

// Interactive reports whether widgets talk to a live front end. The first
// call from a notebook probes (up to WidgetTimeout) and the answer is kept
// for the rest of the program; outside a notebook it is false at once.
// Setting the environment variable GOTL_WIDGETS=off forces false.
func Interactive() bool { return false }

// Button is a clickable button in the notebook.
type Button struct{}

// NewButton displays a button labelled label.
func NewButton(label string) *Button { return &Button{} }

// Interactive reports whether clicks come from a person (true) or are
// scripted because no front end is attached (false).
func (b *Button) Interactive() bool { return false }

// Clicks returns a channel that receives the click count (1, 2, 3, …) for
// each click. When the button is not interactive, it receives scripted
// clicks 1…scripted at once and is then closed, so a loop
//
//	for range step.Clicks(5) { … }
//
// runs five times in CI and once per click in a browser. In a browser the
// channel stays open until Close (or the end of the cell's program).
func (b *Button) Clicks(scripted int) <-chan int { return nil }

// Close stops delivering clicks and closes the Clicks channel.
func (b *Button) Close() {}

// Slider is a horizontal slider for a number in [min, max], shown with its
// label and current value.
type Slider struct{}

// NewSlider displays a slider from min to max starting at value, moving in
// 100 equal steps. It returns an error unless min < max, all three are
// finite, and value is in [min, max].
func NewSlider(label string, min, max, value float64) (*Slider, error) { return &Slider{}, nil }

// NewLogSlider is NewSlider with steps equal in log scale, for quantities
// such as learning rates that matter by orders of magnitude. min must be
// positive.
func NewLogSlider(label string, min, max, value float64) (*Slider, error) { return &Slider{}, nil }

// Interactive reports whether the value can be changed by a person.
func (s *Slider) Interactive() bool { return false }

// Value returns the current value.
func (s *Slider) Value() float64 { return 0 }

// SetValue moves the slider to v (clamped to [min, max]), in the notebook
// too when interactive.
func (s *Slider) SetValue(v float64) {}

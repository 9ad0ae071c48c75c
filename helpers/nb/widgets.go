package nb

import (
	"fmt"
	"html"
	"math"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// WidgetTimeout is how long the first widget of a program waits for the
// notebook's front end to answer before concluding that none is attached
// (headless execution with nbconvert) and falling back to scripted
// behaviour. GoNB itself gives up on the browser's connection after 3 s, so
// a front end that has not answered by then never will.
var WidgetTimeout = 4 * time.Second

var (
	probeOnce       sync.Once
	frontEndAnswers bool
)

// Interactive reports whether widgets talk to a live front end. The first
// call from a notebook probes (up to WidgetTimeout) and the answer is kept
// for the rest of the program; outside a notebook, or in a kernel run by
// nbconvert/nbclient (which GoNB gives no Jupyter kernel id), it is false at
// once. Setting the environment variable GOTL_WIDGETS=off forces false.
func Interactive() bool {
	probeOnce.Do(func() { frontEndAnswers = probeFrontEnd() })
	return frontEndAnswers
}

// probeFrontEnd asks the browser to send a value back through GoNB's comms
// channel. Headless, nothing runs the JavaScript, so nothing comes back;
// the wait runs in a goroutine because GoNB's calls can block forever then.
//
// A kernel started by nbconvert/nbclient has a connection file without the
// Jupyter server's kernel id, so GoNB cannot build the browser's WebSocket
// URL and leaves GONB_JUPYTER_KERNEL_ID unset: no front end can ever answer,
// and the probe is skipped (no wait, no connection script in the saved
// notebook).
func probeFrontEnd() bool {
	if !inNotebook || os.Getenv("GOTL_WIDGETS") == "off" || os.Getenv(protocol.GONB_JUPYTER_KERNEL_ID_ENV) == "" {
		return false
	}
	address := "/gotl/probe/" + gonbui.UniqueId()
	answered := make(chan bool, 1)
	go func() {
		ch := comms.Listen[int](address)
		dom.TransientJavascript(fmt.Sprintf(
			`globalThis.gonb_comm && globalThis.gonb_comm.send(%q, 1);`, address))
		<-ch.C
		answered <- true
		ch.Close()
	}()
	select {
	case <-answered:
		return true
	case <-time.After(WidgetTimeout):
		return false
	}
}

// withTimeout runs build in a goroutine and reports whether it finished
// within WidgetTimeout; GoNB's widget constructors wait for the front end
// and would block a headless program forever.
func withTimeout(build func()) bool {
	finished := make(chan struct{})
	go func() {
		build()
		close(finished)
	}()
	select {
	case <-finished:
		return true
	case <-time.After(WidgetTimeout):
		return false
	}
}

// headlessNote is shown next to a widget that no front end drives.
const headlessNote = ` <i style="color:#888">(no live front end: scripted)</i>`

// Button is a clickable button in the notebook.
type Button struct {
	label   string
	widget  *widgets.ButtonBuilder // nil when not interactive
	mu      sync.Mutex
	clicks  chan int
	closed  bool
	closeFn func()
}

// NewButton displays a button labelled label.
func NewButton(label string) *Button {
	b := &Button{label: label}
	if Interactive() {
		w := widgets.Button(html.EscapeString(label))
		if withTimeout(func() { w.Done() }) {
			b.widget = w
		}
	}
	if b.widget == nil {
		DisplayHTML(`<button disabled>` + html.EscapeString(label) + `</button>` + headlessNote)
	}
	return b
}

// Interactive reports whether clicks come from a person (true) or are
// scripted because no front end is attached (false).
func (b *Button) Interactive() bool { return b.widget != nil }

// Clicks returns a channel that receives the click count (1, 2, 3, …) for
// each click. When the button is not interactive, it receives scripted
// clicks 1…scripted at once and is then closed, so a loop
//
//	for range step.Clicks(5) { … }
//
// runs five times in CI and once per click in a browser. In a browser the
// channel stays open until Close (or the end of the cell's program). Later
// calls return the same channel.
func (b *Button) Clicks(scripted int) <-chan int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.clicks != nil {
		return b.clicks
	}
	if b.widget == nil || b.closed {
		b.clicks = make(chan int, max(scripted, 0))
		for i := 1; i <= scripted && !b.closed; i++ {
			b.clicks <- i
		}
		close(b.clicks)
		return b.clicks
	}
	b.clicks = make(chan int)
	listen := b.widget.Listen()
	stop := make(chan struct{})
	b.closeFn = func() { close(stop); listen.Close() }
	go func() {
		defer close(b.clicks)
		for {
			select {
			case <-stop:
				return
			case n, ok := <-listen.C:
				if !ok {
					return
				}
				select {
				case b.clicks <- n:
				case <-stop:
					return
				}
			}
		}
	}()
	return b.clicks
}

// Close stops delivering clicks and closes the Clicks channel.
func (b *Button) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	if b.closeFn != nil {
		b.closeFn()
	}
}

// sliderSteps is the number of positions of a slider.
const sliderSteps = 100

// Slider is a horizontal slider for a number in [min, max], shown with its
// label and current value.
type Slider struct {
	label    string
	min, max float64
	log      bool
	widget   *widgets.SliderBuilder // nil when not interactive
	display  *Cell

	mu    sync.Mutex
	value float64
}

// NewSlider displays a slider from min to max starting at value, moving in
// 100 equal steps. It returns an error unless min < max, all three are
// finite, and value is in [min, max].
func NewSlider(label string, min, max, value float64) (*Slider, error) {
	return newSlider(label, min, max, value, false)
}

// NewLogSlider is NewSlider with steps equal in log scale, for quantities
// such as learning rates that matter by orders of magnitude. min must be
// positive.
func NewLogSlider(label string, min, max, value float64) (*Slider, error) {
	return newSlider(label, min, max, value, true)
}

func newSlider(label string, lo, hi, value float64, log bool) (*Slider, error) {
	for _, v := range []float64{lo, hi, value} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("nb: slider %q: bounds and value must be finite, got min=%v max=%v value=%v", label, lo, hi, value)
		}
	}
	if !(lo < hi) {
		return nil, fmt.Errorf("nb: slider %q: min %v is not below max %v", label, lo, hi)
	}
	if value < lo || value > hi {
		return nil, fmt.Errorf("nb: slider %q: value %v is outside [%v, %v]", label, value, lo, hi)
	}
	if log && lo <= 0 {
		return nil, fmt.Errorf("nb: log slider %q: min %v must be positive", label, lo)
	}
	s := &Slider{label: label, min: lo, max: hi, log: log, value: value}
	if Interactive() {
		s.display = NewCell()
		s.showValue(value, "")
		w := widgets.Slider(0, sliderSteps, s.position(value))
		if withTimeout(func() { w.Done() }) {
			s.widget = w
			go s.follow(w.Listen())
		}
	}
	if s.widget == nil {
		if s.display == nil {
			s.display = NewCell()
		}
		s.showValue(value, headlessNote)
	}
	return s, nil
}

// follow keeps s.value in step with the front end's slider.
func (s *Slider) follow(updates *comms.AddressChan[int]) {
	for pos := range updates.C {
		v := s.fromPosition(pos)
		s.mu.Lock()
		s.value = v
		s.mu.Unlock()
		s.showValue(v, "")
	}
}

func (s *Slider) showValue(v float64, note string) {
	s.display.UpdateHTML(fmt.Sprintf(`<span style="font-family:monospace"><b>%s</b> = %s</span>%s`,
		html.EscapeString(s.label), strconv.FormatFloat(v, 'g', 4, 64), note))
}

// position maps a value to the nearest of the slider's integer positions.
func (s *Slider) position(v float64) int {
	var t float64
	if s.log {
		t = math.Log(v/s.min) / math.Log(s.max/s.min)
	} else {
		t = (v - s.min) / (s.max - s.min)
	}
	return int(math.Round(t * sliderSteps))
}

// fromPosition maps a slider position back to a value.
func (s *Slider) fromPosition(pos int) float64 {
	t := math.Min(1, math.Max(0, float64(pos)/sliderSteps))
	if s.log {
		return s.min * math.Pow(s.max/s.min, t)
	}
	return s.min + t*(s.max-s.min)
}

// Interactive reports whether the value can be changed by a person.
func (s *Slider) Interactive() bool { return s.widget != nil }

// Value returns the current value.
func (s *Slider) Value() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value
}

// SetValue moves the slider to v (clamped to [min, max]), in the notebook
// too when interactive.
func (s *Slider) SetValue(v float64) {
	if math.IsNaN(v) {
		return
	}
	v = math.Min(s.max, math.Max(s.min, v))
	s.mu.Lock()
	s.value = v
	s.mu.Unlock()
	if s.widget != nil {
		s.widget.SetValue(s.position(v))
	}
	note := ""
	if s.widget == nil {
		note = headlessNote
	}
	s.showValue(v, note)
}

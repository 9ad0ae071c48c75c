package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/limits"
)

// pngHeaderOnly returns a PNG that declares width×height RGBA pixels but
// carries no image data: enough for image.DecodeConfig, which is all a
// reader may look at before refusing it. (The 102 KB 10240×10240
// PNG of zeros cost 1.83 GB per decode.)
func pngHeaderOnly(width, height uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		var b []byte
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, typ...)
		b = append(b, data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
}

func TestHugeImagesAreRefusedBeforeDecoding(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(pngHeaderOnly(10240, 10240))
	runtime.ReadMemStats(&after)
	want := "dataset: png image of 10240x10240 pixels needs 104857600 pixels, more than the limit of 67108864 (image pixels; raise it with GOTL_MAX_IMAGE_PIXELS)"
	if !errors.Is(err, limits.ErrExceeded) || err.Error() != want {
		t.Errorf("Decode: %v\nwant %s", err, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes before refusing", alloc)
	}
	// The limit is the policy's: lowered, it refuses a small real image.
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 20, 10)))
	defer limits.ImagePixels.Set(limits.ImagePixels.Set(199))
	if _, err := Decode(buf.Bytes()); !errors.Is(err, limits.ErrExceeded) {
		t.Errorf("20×10 image under a 199-pixel limit: %v", err)
	}
	limits.ImagePixels.Set(200)
	if m, err := Decode(buf.Bytes()); err != nil || m.Width != 20 {
		t.Errorf("20×10 image under a 200-pixel limit: %v", err)
	}
}

// Image folders and files that are FIFOs or links to devices are refused
// when listed or loaded, instead of blocking forever or reading /dev/zero
// until memory runs out.
func TestImagesThatAreNotRegularFiles(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	for _, class := range []string{"a", "b"} {
		os.MkdirAll(filepath.Join(dir, class), 0o755)
		os.WriteFile(filepath.Join(dir, class, "ok.png"), buf.Bytes(), 0o644)
	}
	if _, err := LoadFolder(dir, DefaultFolderOptions()); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "b", "pipe.jpg")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFolder(dir, DefaultFolderOptions())
	if !errors.Is(err, limits.ErrNotRegular) || !strings.Contains(err.Error(), "dataset: class folder b: "+fifo+": is a named pipe (FIFO), not a regular file") {
		t.Errorf("LoadFolder with a FIFO: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(fifo); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, limits.ErrNotRegular) {
			t.Errorf("Load(FIFO): %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load(FIFO) blocked")
	}
	os.Remove(fifo)
	zero := filepath.Join(dir, "a", "zero.jpg")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFolder(dir, DefaultFolderOptions()); !errors.Is(err, limits.ErrNotRegular) || !strings.Contains(err.Error(), "is a character device") {
		t.Errorf("LoadFolder with a link to /dev/zero: %v", err)
	}
	if _, err := Load(zero); !errors.Is(err, limits.ErrNotRegular) {
		t.Errorf("Load(/dev/zero link): %v", err)
	}
}

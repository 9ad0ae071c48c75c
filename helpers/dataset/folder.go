package dataset

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gotl/gotl/helpers/limits"
)

// Split names one of retrain.py's three image sets.
type Split int

const (
	Training Split = iota
	Validation
	Testing
)

// String returns retrain.py's name for the split ("training", …).
func (s Split) String() string {
	switch s {
	case Training:
		return "training"
	case Validation:
		return "validation"
	case Testing:
		return "testing"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// ParseSplit accepts "training", "validation" or "testing".
func ParseSplit(name string) (Split, error) {
	for _, s := range []Split{Training, Validation, Testing} {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("dataset: unknown split %q (want training, validation or testing)", name)
}

// MaxImagesPerClass is retrain.py's MAX_NUM_IMAGES_PER_CLASS (2^27-1), the
// constant of its split hash.
const MaxImagesPerClass = 1<<27 - 1

// HashPercentage is retrain.py's percentage_hash of a path string, a value
// in [0, 100] (100 only when the hash is exactly 2^27-1 modulo 2^27).
func HashPercentage(path string) float64 {
	sum := sha1.Sum([]byte(stripNohash(path)))
	// int(hex, 16) % 2^27 keeps the low 27 bits of the big-endian digest.
	low := uint32(sum[16])<<24 | uint32(sum[17])<<16 | uint32(sum[18])<<8 | uint32(sum[19])
	low &= 1<<27 - 1
	return float64(low) * (100.0 / MaxImagesPerClass)
}

// stripNohash applies re.sub(r'_nohash_.*$', ”, s): the leftmost
// "_nohash_" whose rest has no newline, except possibly a final one (which
// '$' matches before, so it stays), is cut off with its rest.
func stripNohash(s string) string {
	for off := 0; ; {
		i := strings.Index(s[off:], "_nohash_")
		if i < 0 {
			return s
		}
		i += off
		rest := s[i+len("_nohash_"):]
		if j := strings.IndexByte(rest, '\n'); j < 0 {
			return s[:i]
		} else if j == len(rest)-1 {
			return s[:i] + "\n"
		}
		off = i + 1
	}
}

// SplitOf is the split retrain.py assigns to path with the given percentages.
func SplitOf(path string, validationPercentage, testingPercentage float64) Split {
	p := HashPercentage(path)
	switch {
	case p < validationPercentage:
		return Validation
	case p < testingPercentage+validationPercentage:
		return Testing
	}
	return Training
}

// hashPercentageBig is a direct transcription of retrain.py's arithmetic
// with arbitrary-precision integers; tests compare it with HashPercentage.
func hashPercentageBig(hashName string) float64 {
	sum := sha1.Sum([]byte(hashName))
	n, _ := new(big.Int).SetString(hex.EncodeToString(sum[:]), 16)
	n.Mod(n, big.NewInt(MaxImagesPerClass+1))
	return float64(n.Int64()) * (100.0 / MaxImagesPerClass)
}

// LabelName is retrain.py's label for a class folder: lower-cased, with every
// run of characters other than a-z and 0-9 replaced by one space.
func LabelName(dirName string) string {
	var b strings.Builder
	inRun := false
	for _, r := range strings.ToLower(dirName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			inRun = false
			continue
		}
		if !inRun {
			b.WriteByte(' ')
			inRun = true
		}
	}
	return b.String()
}

// pyJoin joins path elements like Python's os.path.join on POSIX, which
// retrain.py's hash depends on: no cleaning, one "/" unless a already ends
// with one, and an absolute b replaces a.
func pyJoin(a string, elems ...string) string {
	for _, b := range elems {
		switch {
		case strings.HasPrefix(b, "/"):
			a = b
		case a == "" || strings.HasSuffix(a, "/"):
			a += b
		default:
			a += "/" + b
		}
	}
	return a
}

// FolderOptions configures LoadFolder.
type FolderOptions struct {
	// ValidationPercentage and TestingPercentage are retrain.py's
	// --validation_percentage and --testing_percentage (defaults 10 and 10).
	ValidationPercentage float64
	TestingPercentage    float64
	// Extensions are the accepted file name suffixes, matched
	// case-sensitively after the last '.', as retrain.py's globs do.
	// retrain.py accepts jpg, jpeg, JPG, JPEG; the default adds png, PNG,
	// gif and GIF.
	Extensions []string
	// HashDir, when set, stands for the folder in the paths the split
	// hashes (retrain.py hashes each path as given on its command line):
	// loading /tmp/x/images with HashDir "images" splits the images as
	// retrain.py run with --image_dir=images in /tmp/x would, so a folder
	// written anywhere gets the same split on every machine. Image.Path
	// stays the real path.
	HashDir string
}

// RetrainExtensions are the extensions retrain.py globs, in its order.
var RetrainExtensions = []string{"jpg", "jpeg", "JPG", "JPEG"}

// DefaultFolderOptions returns retrain.py's defaults plus PNG and GIF.
func DefaultFolderOptions() FolderOptions {
	return FolderOptions{
		ValidationPercentage: 10,
		TestingPercentage:    10,
		Extensions:           append(append([]string{}, RetrainExtensions...), "png", "PNG", "gif", "GIF"),
	}
}

// Image is one file of an image folder.
type Image struct {
	Path  string // the path retrain.py globs: image dir as given + class folder + file name
	Name  string // file name
	Label int    // class index
	Split Split
}

// Class is one sub-folder of an image folder.
type Class struct {
	Label string // retrain.py's label name
	Dir   string // folder name
}

// Folder is a labelled image folder split like retrain.py.
type Folder struct {
	Dir     string
	Classes []Class
	Images  []Image // grouped by class, in class order; within a class by extension order, then name
	Options FolderOptions
}

// LoadFolder lists dir's class sub-folders and their images and splits them
// (see the package documentation). Sub-folders without images are skipped,
// as retrain.py does; fewer than two classes is an error, as it is there.
func LoadFolder(dir string, opts FolderOptions) (*Folder, error) {
	if opts.ValidationPercentage < 0 || opts.TestingPercentage < 0 || opts.ValidationPercentage+opts.TestingPercentage > 100 {
		return nil, fmt.Errorf("dataset: validation %g%% + testing %g%% must be within 0..100", opts.ValidationPercentage, opts.TestingPercentage)
	}
	if len(opts.Extensions) == 0 {
		opts.Extensions = DefaultFolderOptions().Extensions
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset: image directory: %w", err)
	}
	f := &Folder{Dir: dir, Options: opts}
	var subdirs []string
	for _, e := range entries {
		if e.IsDir() || (e.Type()&os.ModeSymlink != 0 && isDir(filepath.Join(dir, e.Name()))) {
			subdirs = append(subdirs, e.Name())
		}
	}
	sort.Strings(subdirs)
	seen := map[string]string{}
	for _, sub := range subdirs {
		files, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, fmt.Errorf("dataset: class folder %s: %w", sub, err)
		}
		var names []string
		for _, ext := range opts.Extensions {
			var group []string
			for _, fe := range files {
				n := fe.Name()
				if fe.IsDir() || strings.HasPrefix(n, ".") {
					continue // glob's * does not match a leading dot
				}
				if strings.HasSuffix(n, "."+ext) {
					if err := checkRegular(filepath.Join(dir, sub, n), fe); err != nil {
						return nil, fmt.Errorf("dataset: class folder %s: %w", sub, err)
					}
					group = append(group, n)
				}
			}
			sort.Strings(group)
			names = append(names, group...)
		}
		if len(names) == 0 {
			continue
		}
		label := LabelName(sub)
		if other, dup := seen[label]; dup {
			return nil, fmt.Errorf("dataset: folders %q and %q both give the label %q", other, sub, label)
		}
		seen[label] = sub
		idx := len(f.Classes)
		f.Classes = append(f.Classes, Class{Label: label, Dir: sub})
		for _, n := range names {
			p := pyJoin(dir, sub, n)
			hashed := p
			if opts.HashDir != "" {
				hashed = pyJoin(opts.HashDir, sub, n)
			}
			f.Images = append(f.Images, Image{Path: p, Name: n, Label: idx,
				Split: SplitOf(hashed, opts.ValidationPercentage, opts.TestingPercentage)})
		}
	}
	switch len(f.Classes) {
	case 0:
		return nil, fmt.Errorf("dataset: no valid folders of images found in %s", dir)
	case 1:
		return nil, fmt.Errorf("dataset: only one class folder with images in %s (%s); classification needs two or more", dir, f.Classes[0].Dir)
	}
	return f, nil
}

// checkRegular refuses an image entry that is not a regular file (a FIFO,
// a device, a socket, or a link to one): reading it would block forever or
// never end. Only symbolic links cost a stat.
func checkRegular(path string, e os.DirEntry) error {
	mode := e.Type()
	if mode&os.ModeSymlink != 0 {
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		mode = st.Mode()
	}
	return limits.CheckMode(path, mode)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// FirstPerClass returns the first n images of each class, in folder
// order: the pictures a notebook shows to introduce a data set.
func (f *Folder) FirstPerClass(n int) []Image {
	var out []Image
	taken := make([]int, len(f.Classes))
	for _, img := range f.Images {
		if taken[img.Label] < n {
			out = append(out, img)
			taken[img.Label]++
		}
	}
	return out
}

// Labels returns the class labels in class order, the lines of
// retrain.py's output_labels.txt.
func (f *Folder) Labels() []string {
	out := make([]string, len(f.Classes))
	for i, c := range f.Classes {
		out[i] = c.Label
	}
	return out
}

// Paths returns the path of every image, in order.
func (f *Folder) Paths() []string {
	p := make([]string, len(f.Images))
	for i, img := range f.Images {
		p[i] = img.Path
	}
	return p
}

// Split returns the images of one split, in folder order.
func (f *Folder) Split(s Split) []Image {
	var out []Image
	for _, img := range f.Images {
		if img.Split == s {
			out = append(out, img)
		}
	}
	return out
}

// Counts returns the number of images per class and split: counts[label][split].
func (f *Folder) Counts() [][3]int {
	c := make([][3]int, len(f.Classes))
	for _, img := range f.Images {
		c[img.Label][img.Split]++
	}
	return c
}

package download

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/progress"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/internal/util"
)

// Names of the online resources Fetch knows.
const (
	InceptionV3  = "inception_v3"         // Inception v3, 2015-12-05 (classify_image_graph_def.pb)
	MobileNetV1  = "mobilenet_v1_1.0_224" // MobileNet v1 1.0/224, 2018-08-02, frozen
	FlowerPhotos = "flower_photos"        // TensorFlow's flower_photos: 5 classes, about 3,700 JPEGs
)

// Resource is a file on the Internet that tutorials can download: a .tgz
// archive and what to expect inside it.
type Resource struct {
	Name        string // registry key, e.g. InceptionV3
	Description string
	URL         string
	Archive     string // file name the archive is saved as
	// SHA256 pins the archive's hex SHA-256. Empty means not pinned: the
	// first download records its sum and later uses must match it
	// (trust on first use). GOTL_SHA256_<NAME> or FetchOptions.SHA256
	// override it.
	SHA256 string
	// Members are paths inside the archive that must exist after
	// extraction (files or directories).
	Members []string
	// Root is the member directory that holds the useful content
	// (flower_photos' class folders); empty for the archive's top level.
	Root  string
	Model *zoo.ModelInfo // nil for datasets
}

// The registry. Checksums are deliberately left empty: they were not known
// when this was written offline, and an invented pin would be worse than none.
// Fetch records the sum of the first download instead and prints it, so it
// can be pinned here or with GOTL_SHA256_<NAME>.
var registry = []Resource{
	{
		Name:        InceptionV3,
		Description: "Inception v3 trained on ImageNet (2015-12-05), the model of TensorFlow's classify_image.py and retrain.py; archive about 90 MB",
		URL:         "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz",
		Archive:     "inception-2015-12-05.tgz",
		Members: []string{
			"classify_image_graph_def.pb",
			"imagenet_synset_to_human_label_map.txt",
			"imagenet_2012_challenge_label_map_proto.pbtxt",
		},
		Model: &zoo.ModelInfo{
			Frozen:         "classify_image_graph_def.pb",
			Labels:         "imagenet_synset_to_human_label_map.txt",
			Input:          "Mul:0",
			RawInput:       "ResizeBilinear:0",
			JPEGInput:      "DecodeJpeg/contents:0",
			Bottleneck:     "pool_3/_reshape:0",
			BottleneckSize: 2048,
			Output:         "softmax:0",
			Height:         299, Width: 299, Mean: 128, Std: 128,
			BatchSize: 1,
		},
	},
	{
		Name:        MobileNetV1,
		Description: "MobileNet v1 1.0/224 trained on ImageNet (2018-08-02 release), frozen GraphDef plus checkpoint and TFLite files",
		URL:         "https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02/mobilenet_v1_1.0_224.tgz",
		Archive:     "mobilenet_v1_1.0_224.tgz",
		Members:     []string{"mobilenet_v1_1.0_224_frozen.pb"},
		Model: &zoo.ModelInfo{
			Frozen:         "mobilenet_v1_1.0_224_frozen.pb",
			Input:          "input:0",
			Bottleneck:     "MobilenetV1/Logits/AvgPool_1a/AvgPool:0",
			BottleneckSize: 1024,
			Output:         "MobilenetV1/Predictions/Reshape_1:0",
			Height:         224, Width: 224, Mean: 127.5, Std: 127.5,
			// Not verified offline whether this release fixes the batch
			// dimension; 1 is always safe and costs little on a CPU.
			BatchSize: 1,
		},
	},
	{
		Name:        FlowerPhotos,
		Description: "TensorFlow's flower_photos: about 3,700 JPEGs in five class folders (retrain.py's example); archive about 220 MB",
		URL:         "http://download.tensorflow.org/example_images/flower_photos.tgz",
		Archive:     "flower_photos.tgz",
		Members: []string{
			"flower_photos/daisy", "flower_photos/dandelion", "flower_photos/roses",
			"flower_photos/sunflowers", "flower_photos/tulips",
		},
		Root: "flower_photos",
	},
}

// Resources returns the registry, sorted by name.
func Resources() []Resource {
	out := make([]Resource, len(registry))
	for i, r := range registry {
		out[i] = r.clone()
	}
	slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the registered resource called name.
func Lookup(name string) (Resource, bool) {
	for _, r := range registry {
		if r.Name == name {
			return r.clone(), true
		}
	}
	return Resource{}, false
}

func (r Resource) clone() Resource {
	r.Members = slices.Clone(r.Members)
	if r.Model != nil {
		m := *r.Model
		r.Model = &m
	}
	return r
}

// PinEnv is the environment variable that pins a resource's SHA-256:
// GOTL_SHA256_ followed by the name upper-cased, with every character other
// than a letter or digit replaced by '_' (GOTL_SHA256_MOBILENET_V1_1_0_224).
func PinEnv(name string) string {
	var b strings.Builder
	b.WriteString("GOTL_SHA256_")
	for _, c := range strings.ToUpper(name) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// FetchOptions configures Fetch. The zero value (or nil) is the default.
type FetchOptions struct {
	// SHA256 pins the archive's hex SHA-256, overriding GOTL_SHA256_<NAME>
	// and the registry.
	SHA256 string
	// URL replaces the resource's URL (a mirror).
	URL     string
	Client  *http.Client    // default http.DefaultClient
	Context context.Context // cancels the download; default context.Background()
	// MaxDownload bounds the archive's size in bytes; default 1 GiB.
	MaxDownload int64
	// MaxExtract bounds the total size of the extracted files in bytes;
	// default 2 GiB. MaxMembers bounds their number; default 100,000.
	MaxExtract int64
	MaxMembers int
	// Log receives messages (the computed checksum); default os.Stderr.
	Log   io.Writer
	Quiet bool // no messages
	// Progress, when set, is shown the download in MiB (nb.Bars draws it).
	Progress progress.Reporter
}

// Fetched is a downloaded, verified and extracted resource.
type Fetched struct {
	Resource   Resource
	Archive    string // path of the archive
	SHA256     string // its verified hex SHA-256
	Pinned     bool   // verified against a pin; false: against the recorded first download
	Downloaded bool   // false when an existing archive was reused
	Dir        string // directory the archive was extracted into
	Root       string // Dir joined with Resource.Root
}

// Path returns where archive member name was extracted. A member missing at
// its exact path is looked up by base name, for archives that nest their
// files one directory deeper than the registry says; "" if not found.
func (f *Fetched) Path(member string) string {
	return findMember(f.Dir, member)
}

// Frozen is the path of a model's frozen GraphDef ("" for datasets).
func (f *Fetched) Frozen() string {
	if f.Resource.Model == nil {
		return ""
	}
	return f.Path(f.Resource.Model.Frozen)
}

// Labels is the path of a model's label file ("" if none).
func (f *Fetched) Labels() string {
	if f.Resource.Model == nil || f.Resource.Model.Labels == "" {
		return ""
	}
	return f.Path(f.Resource.Model.Labels)
}

// DefaultDir is where Fetch keeps downloads when dir is empty:
// "downloads" in gotl's cache directory ($GOTL_CACHE_DIR/zoo, or the user's
// cache directory), shared by every notebook.
func DefaultDir() (string, error) {
	base, err := zoo.CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "downloads"), nil
}

// Fetch downloads the registered resource called name into dir (empty:
// DefaultDir), verifies it and extracts it; see FetchResource.
func Fetch(name, dir string, opts *FetchOptions) (*Fetched, error) {
	r, ok := Lookup(name)
	if !ok {
		var names []string
		for _, r := range Resources() {
			names = append(names, r.Name)
		}
		return nil, fmt.Errorf("download: unknown resource %q (known: %s)", name, strings.Join(names, ", "))
	}
	return FetchResource(r, dir, opts)
}

// FetchResource downloads r's archive into dir/<Archive>, verifies its
// SHA-256, and extracts it into dir/<Archive without .tgz>.
//
// The download goes to a temporary file that is renamed into place only once
// complete and verified, so an interrupted or rejected download leaves nothing
// behind. The expected sum is, in order: opts.SHA256, $GOTL_SHA256_<NAME>,
// r.SHA256; without one, the sum recorded in dir/<Archive>.sha256 by the
// first download (which prints it, so it can be pinned). A mismatch is an
// error naming the file and both sums. An archive already present is
// verified the same way and reused without a download.
//
// Extraction rejects members that would land outside the directory (absolute
// paths, ".."), links and devices, and stops at opts.MaxExtract bytes or
// opts.MaxMembers members; it too happens in a temporary directory renamed
// into place.
func FetchResource(r Resource, dir string, opts *FetchOptions) (*Fetched, error) {
	var o FetchOptions
	if opts != nil {
		o = *opts
	}
	o.defaults()
	if r.Name == "" || r.Archive == "" || filepath.Base(r.Archive) != r.Archive || !strings.HasSuffix(r.Archive, ".tgz") && !strings.HasSuffix(r.Archive, ".tar.gz") {
		return nil, fmt.Errorf("download: resource %q: archive name %q must be a plain .tgz or .tar.gz file name", r.Name, r.Archive)
	}
	if o.URL != "" {
		r.URL = o.URL
	}
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	pin, pinSource, err := pinFor(r, o)
	if err != nil {
		return nil, err
	}
	archive := filepath.Join(dir, r.Archive)
	record := archive + ".sha256"
	recorded, err := readRecord(record)
	if err != nil {
		return nil, err
	}
	want, wantSource := pin, pinSource
	if want == "" && recorded != "" {
		want, wantSource = recorded, "recorded in "+record
	}

	f := &Fetched{Resource: r, Archive: archive, Pinned: pin != ""}
	removeStalePartials(dir, r.Archive)
	if _, err := os.Stat(archive); err == nil {
		sum, err := hashFile(archive)
		if err != nil {
			return nil, err
		}
		if want != "" && sum != want {
			return nil, fmt.Errorf("download: %s: SHA-256 mismatch: expected %s (%s), actual %s; "+
				"delete the file to download it again", archive, want, wantSource, sum)
		}
		f.SHA256 = sum
	} else {
		sum, err := download(r, dir, archive, want, wantSource, o)
		if err != nil {
			return nil, err
		}
		f.SHA256, f.Downloaded = sum, true
	}
	if want == "" {
		if err := writeAtomic(record, []byte(f.SHA256+"  "+r.Archive+"\n")); err != nil {
			return nil, err
		}
		o.logf("download: %s sha256 %s (recorded in %s; pin it with %s=%s)\n",
			r.Archive, f.SHA256, record, PinEnv(r.Name), f.SHA256)
	} else if recorded != f.SHA256 {
		// A pin verified it; keep the record in step for unpinned reuse.
		if err := writeAtomic(record, []byte(f.SHA256+"  "+r.Archive+"\n")); err != nil {
			return nil, err
		}
	}

	f.Dir = filepath.Join(dir, strings.TrimSuffix(strings.TrimSuffix(r.Archive, ".tgz"), ".tar.gz"))
	f.Root = filepath.Join(f.Dir, filepath.FromSlash(r.Root))
	if extractedOK(f) {
		return f, nil
	}
	if err := extract(f, dir, o); err != nil {
		return nil, err
	}
	return f, nil
}

func (o *FetchOptions) defaults() {
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.MaxDownload <= 0 {
		o.MaxDownload = 1 << 30
	}
	if o.MaxExtract <= 0 {
		o.MaxExtract = 2 << 30
	}
	if o.MaxMembers <= 0 {
		o.MaxMembers = 100_000
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	if o.Quiet {
		o.Log = io.Discard
	}
}

func (o *FetchOptions) logf(format string, args ...any) {
	fmt.Fprintf(o.Log, format, args...)
}

// pinFor returns the pinned sum and where it came from, or "" if none.
func pinFor(r Resource, o FetchOptions) (sum, source string, err error) {
	env := PinEnv(r.Name)
	switch {
	case o.SHA256 != "":
		sum, source = o.SHA256, "FetchOptions.SHA256"
	case os.Getenv(env) != "":
		sum, source = os.Getenv(env), "$"+env
	case r.SHA256 != "":
		sum, source = r.SHA256, "pinned in the registry"
	default:
		return "", "", nil
	}
	sum = strings.ToLower(strings.TrimSpace(sum))
	if !validSum(sum) {
		return "", "", fmt.Errorf("download: %s: SHA-256 %q (%s) is not 64 hex digits", r.Name, sum, source)
	}
	return sum, source, nil
}

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// maxSmallFile bounds the files zoo writes itself and reads back whole:
// sum records and extraction markers, a line each.
const maxSmallFile = 64 << 10

// readRecord reads a "<sum>  <name>" trust-on-first-use record; "" if absent.
func readRecord(path string) (string, error) {
	data, err := limits.ReadFileMax(path, maxSmallFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 || !validSum(strings.ToLower(fields[0])) {
		return "", fmt.Errorf("download: %s: not a SHA-256 record (want \"<64 hex digits>  <file>\"); delete it to record a new one", path)
	}
	return strings.ToLower(fields[0]), nil
}

// hashFile hashes the regular file at path (an archive someone may have
// put in the download directory: a FIFO or a link to /dev/zero there is
// refused, not read forever).
func hashFile(path string) (string, error) {
	file, size, err := limits.Open(path)
	if err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	defer file.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(file, size)); err != nil {
		return "", fmt.Errorf("download: reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

const partialInfix = ".partial-"

// removeStalePartials deletes temporary downloads of archive left by a
// killed process a day or more ago (younger ones may belong to a concurrent
// download).
func removeStalePartials(dir, archive string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+archive+partialInfix+"*"))
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.Remove(m)
		}
	}
}

// download fetches r.URL into a temporary file in dir, checks its size and
// sum, and renames it to archive. It returns the sum.
func download(r Resource, dir, archive, want, wantSource string, o FetchOptions) (sum string, err error) {
	req, err := http.NewRequestWithContext(o.Context, http.MethodGet, r.URL, nil)
	if err != nil {
		return "", fmt.Errorf("download: %s: %w", r.Name, err)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("download: downloading %s: %w", r.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download: downloading %s: %s: HTTP %s", r.Name, r.URL, resp.Status)
	}
	if resp.ContentLength > o.MaxDownload {
		return "", fmt.Errorf("download: downloading %s: %s is %d bytes, more than the %d-byte limit", r.Name, r.URL, resp.ContentLength, o.MaxDownload)
	}

	tmp, err := os.CreateTemp(dir, "."+r.Archive+partialInfix+"*")
	if err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	const mib = 1 << 20
	total := 0
	if resp.ContentLength > 0 {
		total = int((resp.ContentLength + mib - 1) / mib)
	}
	prog := progress.Start(o.Progress, "downloading "+r.Archive+" (MiB)", total)
	h := sha256.New()
	w := io.MultiWriter(tmp, h, &progressWriter{prog: prog, unit: mib})
	n, err := io.Copy(w, io.LimitReader(resp.Body, o.MaxDownload+1))
	prog.Done()
	switch {
	case err != nil:
		return "", fmt.Errorf("download: downloading %s from %s: %w (after %d bytes)", r.Name, r.URL, err, n)
	case n > o.MaxDownload:
		return "", fmt.Errorf("download: downloading %s: %s exceeds the %d-byte limit", r.Name, r.URL, o.MaxDownload)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return "", fmt.Errorf("download: downloading %s: %s: got %d of %d bytes", r.Name, r.URL, n, resp.ContentLength)
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("download: writing %s: %w", archive, err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if want != "" && sum != want {
		err = fmt.Errorf("download: %s downloaded from %s: SHA-256 mismatch: expected %s (%s), actual %s; not kept",
			archive, r.URL, want, wantSource, sum)
		return "", err
	}
	if err = os.Rename(tmp.Name(), archive); err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	return sum, nil
}

// progressWriter reports the bytes written to a task counted in units of
// unit bytes.
type progressWriter struct {
	prog     progress.Task
	unit     int64
	n        int64
	reported int64 // units reported so far
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if units := p.n / p.unit; units > p.reported {
		p.prog.Add(int(units - p.reported))
		p.reported = units
	}
	return len(b), nil
}

// markerFile, inside an extracted directory, holds the SHA-256 of the
// archive it came from, so a changed archive is extracted again.
const markerFile = ".gotl-archive-sha256"

func extractedOK(f *Fetched) bool {
	data, err := limits.ReadFileMax(filepath.Join(f.Dir, markerFile), maxSmallFile)
	if err != nil || strings.TrimSpace(string(data)) != f.SHA256 {
		return false
	}
	for _, m := range f.Resource.Members {
		if findMember(f.Dir, m) == "" {
			return false
		}
	}
	return true
}

// findMember resolves an archive member under dir, by exact path or else by
// a unique base name match.
func findMember(dir, member string) string {
	p := filepath.Join(dir, filepath.FromSlash(member))
	if _, err := os.Stat(p); err == nil {
		return p
	}
	base := path.Base(member)
	var found []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == base && p != dir {
			found = append(found, p)
		}
		return nil
	})
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

// extract unpacks f.Archive into a temporary directory in dir, checks the
// expected members, and renames it to f.Dir.
func extract(f *Fetched, dir string, o FetchOptions) (err error) {
	tmp, err := os.MkdirTemp(dir, "."+filepath.Base(f.Dir)+".extract-*")
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer os.RemoveAll(tmp) // after a successful rename there is nothing left
	file, size, err := limits.Open(f.Archive)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer file.Close()
	if err := untar(io.LimitReader(file, size), tmp, f.Archive, o); err != nil {
		return err
	}
	for _, m := range f.Resource.Members {
		if findMember(tmp, m) == "" {
			return fmt.Errorf("download: %s: expected member %q is not in the archive", f.Archive, m)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, markerFile), []byte(f.SHA256+"\n"), 0o644); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if extractedOK(f) {
		return nil // a concurrent Fetch finished first; leave its files alone
	}
	// Replace a stale extraction (of another archive, or damaged).
	if err := os.RemoveAll(f.Dir); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if err := os.Rename(tmp, f.Dir); err != nil {
		if extractedOK(f) {
			return nil // a concurrent Fetch got there first
		}
		return fmt.Errorf("download: %w", err)
	}
	return nil
}

// untar extracts a gzip-compressed tar stream into dst, safely.
func untar(r io.Reader, dst, name string, o FetchOptions) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("download: %s: not a gzip archive: %w", name, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var total int64
	members := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("download: %s: %w", name, err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if members++; members > o.MaxMembers {
			return fmt.Errorf("download: %s: more than %d members", name, o.MaxMembers)
		}
		rel := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
		if rel == "." {
			continue // the archive's own top directory "./"
		}
		if !filepath.IsLocal(filepath.FromSlash(rel)) || strings.Contains(hdr.Name, `\`) {
			return fmt.Errorf("download: %s: member %q would be written outside the target directory; refusing to extract", name, hdr.Name)
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("download: %s: %w", name, err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return fmt.Errorf("download: %s: %w", name, err)
			}
			out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return fmt.Errorf("download: %s: %w", name, err)
			}
			n, err := io.Copy(out, io.LimitReader(tr, o.MaxExtract-total+1))
			total += n
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("download: %s: member %q: %w", name, hdr.Name, err)
			}
			if total > o.MaxExtract {
				return fmt.Errorf("download: %s: extracted data exceeds the %d-byte limit (at member %q)", name, o.MaxExtract, hdr.Name)
			}
		default:
			return fmt.Errorf("download: %s: member %q is a %s, not a regular file or directory; refusing to extract",
				name, hdr.Name, typeName(hdr.Typeflag))
		}
	}
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "FIFO"
	}
	return fmt.Sprintf("tar entry of type %q", t)
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := util.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	return nil
}

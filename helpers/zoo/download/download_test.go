package download_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/helpers/zoo/download"
)

// member is one entry of a generated test archive.
type member struct {
	name string
	body string
	typ  byte // 0: regular file
	link string
}

func makeTgz(t *testing.T, members []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range members {
		hdr := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: m.typ, Linkname: m.link}
		switch m.typ {
		case 0:
			hdr.Typeflag = tar.TypeReg
		case tar.TypeDir:
			hdr.Mode, hdr.Size = 0o755, 0
		default:
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Size > 0 {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func goodArchive(t *testing.T) []byte {
	return makeTgz(t, []member{
		{name: "./", typ: tar.TypeDir},
		{name: "./model.pb", body: "graph bytes"},
		{name: "./labels.txt", body: "daisy\nrose\n"},
		{name: "./sub/", typ: tar.TypeDir},
		{name: "./sub/img.jpg", body: "jpeg"},
	})
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// server serves *body at /x.tgz and counts requests.
type server struct {
	*httptest.Server
	body atomic.Pointer[[]byte]
	hits atomic.Int64
}

func newServer(t *testing.T, body []byte) *server {
	s := &server{}
	s.body.Store(&body)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(*s.body.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) serve(body []byte) { s.body.Store(&body) }

func testResource(url string) download.Resource {
	return download.Resource{
		Name: "test_model", URL: url + "/x.tgz", Archive: "test_model.tgz",
		Members: []string{"model.pb", "labels.txt", "sub/img.jpg"},
		Model:   &zoo.ModelInfo{Frozen: "model.pb", Labels: "labels.txt", Input: "input:0", Bottleneck: "b:0"},
	}
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func mustContain(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func TestFetchTrustOnFirstUse(t *testing.T) {
	good := goodArchive(t)
	srv := newServer(t, good)
	dir := t.TempDir()
	r := testResource(srv.URL)
	var log bytes.Buffer
	opts := &download.FetchOptions{Log: &log}

	f, err := download.FetchResource(r, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Downloaded || f.Pinned || f.SHA256 != sum(good) {
		t.Errorf("first fetch: Downloaded=%v Pinned=%v SHA256=%s, want true false %s", f.Downloaded, f.Pinned, f.SHA256, sum(good))
	}
	rec, err := os.ReadFile(filepath.Join(dir, "test_model.tgz.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(rec), sum(good)+"  test_model.tgz") {
		t.Errorf("record %q, want the archive's sum", rec)
	}
	if !strings.Contains(log.String(), sum(good)) || !strings.Contains(log.String(), "GOTL_SHA256_TEST_MODEL=") {
		t.Errorf("log does not tell the sum and how to pin it:\n%s", log.String())
	}
	if got, err := os.ReadFile(f.Frozen()); err != nil || string(got) != "graph bytes" {
		t.Errorf("frozen %s: %q, %v", f.Frozen(), got, err)
	}
	if got, err := os.ReadFile(f.Path("sub/img.jpg")); err != nil || string(got) != "jpeg" {
		t.Errorf("sub/img.jpg: %q, %v", got, err)
	}
	if got := listDir(t, dir); strings.Join(got, " ") != "test_model test_model.tgz test_model.tgz.sha256" {
		t.Errorf("download dir holds %v", got)
	}

	// Reuse: no request, verified against the record, nothing printed.
	log.Reset()
	f2, err := download.FetchResource(r, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f2.Downloaded || f2.SHA256 != sum(good) || srv.hits.Load() != 1 {
		t.Errorf("reuse: Downloaded=%v SHA256=%s, %d requests; want false, %s, 1", f2.Downloaded, f2.SHA256, srv.hits.Load(), sum(good))
	}
	if log.Len() != 0 {
		t.Errorf("reuse printed %q", log.String())
	}

	// A damaged extraction is redone from the verified archive.
	if err := os.Remove(f.Path("labels.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := download.FetchResource(r, dir, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Labels()); err != nil || srv.hits.Load() != 1 {
		t.Errorf("labels not re-extracted (%v) or downloaded again (%d requests)", err, srv.hits.Load())
	}

	// Tampering with the archive is detected on reuse.
	tampered := bytes.Clone(good)
	tampered[len(tampered)/2] ^= 1
	archive := filepath.Join(dir, "test_model.tgz")
	if err := os.WriteFile(archive, tampered, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = download.FetchResource(r, dir, opts)
	mustContain(t, err, archive, "expected "+sum(good), "actual "+sum(tampered))

	// A re-download (archive deleted) must match the record too: the server
	// now serves another archive, which is rejected and not kept.
	if err := os.Remove(archive); err != nil {
		t.Fatal(err)
	}
	other := makeTgz(t, []member{{name: "model.pb", body: "other graph"}, {name: "labels.txt"}, {name: "sub/img.jpg"}})
	srv.serve(other)
	_, err = download.FetchResource(r, dir, opts)
	mustContain(t, err, "expected "+sum(good), "actual "+sum(other), "not kept")
	if _, err := os.Stat(archive); err == nil {
		t.Error("a rejected download was kept")
	}
	if got := listDir(t, dir); strings.Join(got, " ") != "test_model test_model.tgz.sha256" {
		t.Errorf("after a rejected download the dir holds %v", got)
	}
}

func TestFetchPin(t *testing.T) {
	good := goodArchive(t)
	srv := newServer(t, good)
	r := testResource(srv.URL)
	quiet := &download.FetchOptions{Quiet: true}

	t.Run("option match", func(t *testing.T) {
		dir := t.TempDir()
		f, err := download.FetchResource(r, dir, &download.FetchOptions{Quiet: true, SHA256: strings.ToUpper(sum(good))})
		if err != nil {
			t.Fatal(err)
		}
		if !f.Pinned || !f.Downloaded || f.SHA256 != sum(good) {
			t.Errorf("Pinned=%v Downloaded=%v SHA256=%s", f.Pinned, f.Downloaded, f.SHA256)
		}
	})
	t.Run("env mismatch", func(t *testing.T) {
		dir := t.TempDir()
		wrong := strings.Repeat("ab", 32)
		t.Setenv("GOTL_SHA256_TEST_MODEL", wrong)
		_, err := download.FetchResource(r, dir, quiet)
		mustContain(t, err, filepath.Join(dir, "test_model.tgz"), "expected "+wrong, "$GOTL_SHA256_TEST_MODEL", "actual "+sum(good))
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("a rejected download left %v", got)
		}
	})
	t.Run("registry mismatch on reuse", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := download.FetchResource(r, dir, quiet); err != nil { // TOFU download
			t.Fatal(err)
		}
		pinned := r
		pinned.SHA256 = strings.Repeat("0", 64)
		_, err := download.FetchResource(pinned, dir, quiet)
		mustContain(t, err, "expected "+pinned.SHA256, "pinned in the registry", "actual "+sum(good))
		pinned.SHA256 = sum(good)
		f, err := download.FetchResource(pinned, dir, quiet)
		if err != nil || !f.Pinned || f.Downloaded {
			t.Errorf("pinned reuse: %+v, %v", f, err)
		}
	})
	t.Run("malformed pin", func(t *testing.T) {
		_, err := download.FetchResource(r, t.TempDir(), &download.FetchOptions{Quiet: true, SHA256: "1234"})
		mustContain(t, err, "not 64 hex digits")
	})
}

func TestFetchRejectsUnsafeArchives(t *testing.T) {
	cases := []struct {
		name    string
		members []member
		want    string
	}{
		{"parent", []member{{name: "model.pb"}, {name: "../evil.txt", body: "x"}}, `"../evil.txt" would be written outside`},
		{"nested parent", []member{{name: "a/../../evil.txt", body: "x"}}, "outside the target directory"},
		{"absolute", []member{{name: "/tmp/evil.txt", body: "x"}}, "outside the target directory"},
		{"symlink", []member{{name: "link", typ: tar.TypeSymlink, link: "/etc/passwd"}}, "symbolic link"},
		{"hard link", []member{{name: "hard", typ: tar.TypeLink, link: "../x"}}, "hard link"},
		{"too big", []member{{name: "model.pb", body: strings.Repeat("x", 5000)}}, "exceeds the 4096-byte limit"},
		{"missing member", []member{{name: "model.pb", body: "g"}, {name: "labels.txt"}}, `expected member "sub/img.jpg"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, makeTgz(t, c.members))
			base := t.TempDir()
			dir := filepath.Join(base, "downloads")
			_, err := download.FetchResource(testResource(srv.URL), dir, &download.FetchOptions{Quiet: true, MaxExtract: 4096})
			mustContain(t, err, c.want)
			// Nothing extracted: only the verified archive and its record.
			if got := listDir(t, dir); strings.Join(got, " ") != "test_model.tgz test_model.tgz.sha256" {
				t.Errorf("dir holds %v", got)
			}
			if got := listDir(t, base); len(got) != 1 {
				t.Errorf("written outside the download dir: %v", got)
			}
		})
	}
	t.Run("too many members", func(t *testing.T) {
		var ms []member
		for i := range 20 {
			ms = append(ms, member{name: fmt.Sprintf("f%d", i)})
		}
		srv := newServer(t, makeTgz(t, ms))
		_, err := download.FetchResource(testResource(srv.URL), t.TempDir(), &download.FetchOptions{Quiet: true, MaxMembers: 10})
		mustContain(t, err, "more than 10 members")
	})
	t.Run("not gzip", func(t *testing.T) {
		srv := newServer(t, []byte("<html>captive portal</html>"))
		_, err := download.FetchResource(testResource(srv.URL), t.TempDir(), &download.FetchOptions{Quiet: true})
		mustContain(t, err, "not a gzip archive")
	})
}

func TestFetchPartialDownloadLeavesNothing(t *testing.T) {
	good := goodArchive(t)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		opts    download.FetchOptions
		want    string
	}{
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			// Promise the whole archive, send half, and drop the connection.
			w.Header().Set("Content-Length", fmt.Sprint(len(good)))
			w.Write(good[:len(good)/2])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, download.FetchOptions{}, "downloading test_model"},
		{"not found", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, download.FetchOptions{}, "HTTP 404"},
		{"declared too big", func(w http.ResponseWriter, r *http.Request) {
			w.Write(good)
		}, download.FetchOptions{MaxDownload: 100}, "more than the 100-byte limit"},
		{"streamed too big", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // chunked: no Content-Length
			w.Write(good)
		}, download.FetchOptions{MaxDownload: 100}, "exceeds the 100-byte limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			dir := t.TempDir()
			var log bytes.Buffer
			c.opts.Log = &log // messages go here, not to the test output
			_, err := download.FetchResource(testResource(srv.URL), dir, &c.opts)
			mustContain(t, err, c.want)
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("a failed download left %v", got)
			}
		})
	}
}

// Several Fetch calls at once (goroutines here, processes in notebooks) all
// succeed and leave one consistent copy.
func TestFetchConcurrent(t *testing.T) {
	good := goodArchive(t)
	srv := newServer(t, good)
	dir := t.TempDir()
	errs := make(chan error, 6)
	for range cap(errs) {
		go func() {
			f, err := download.FetchResource(testResource(srv.URL), dir, &download.FetchOptions{Quiet: true})
			if err == nil && f.SHA256 != sum(good) {
				err = fmt.Errorf("sum %s", f.SHA256)
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := listDir(t, dir); strings.Join(got, " ") != "test_model test_model.tgz test_model.tgz.sha256" {
		t.Errorf("dir holds %v", got)
	}
	f, err := download.FetchResource(testResource(srv.URL), dir, &download.FetchOptions{Quiet: true})
	if err != nil || f.Downloaded {
		t.Fatalf("reuse after concurrent fetches: %v, downloaded %v", err, f != nil && f.Downloaded)
	}
	if got, err := os.ReadFile(f.Labels()); err != nil || string(got) != "daisy\nrose\n" {
		t.Errorf("labels %q, %v", got, err)
	}
}

func TestRegistry(t *testing.T) {
	want := map[string]string{
		download.InceptionV3:  "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz",
		download.MobileNetV1:  "https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02/mobilenet_v1_1.0_224.tgz",
		download.FlowerPhotos: "http://download.tensorflow.org/example_images/flower_photos.tgz",
	}
	rs := download.Resources()
	if len(rs) != len(want) {
		t.Fatalf("%d resources, want %d", len(rs), len(want))
	}
	for _, r := range rs {
		if want[r.Name] != r.URL {
			t.Errorf("%s: URL %q, want %q", r.Name, r.URL, want[r.Name])
		}
		if !strings.HasSuffix(r.URL, "/"+r.Archive) || len(r.Members) == 0 {
			t.Errorf("%s: archive %q, members %v", r.Name, r.Archive, r.Members)
		}
		if m := r.Model; m != nil {
			if err := m.Preprocess().Validate(); err != nil {
				t.Errorf("%s: %v", r.Name, err)
			}
			if m.Frozen != r.Members[0] || m.Input == "" || m.Bottleneck == "" || m.BatchSize < 1 {
				t.Errorf("%s: incomplete model info %+v", r.Name, m)
			}
		}
	}
	inc, _ := download.Lookup(download.InceptionV3)
	if m := inc.Model; m.Input != "Mul:0" || m.Bottleneck != "pool_3/_reshape:0" || m.Height != 299 || m.Mean != 128 || m.Std != 128 {
		t.Errorf("Inception v3 info %+v", m)
	}
	// Lookup returns copies: changing one does not change the registry.
	inc.Model.Input, inc.Members[0] = "changed", "changed"
	if again, _ := download.Lookup(download.InceptionV3); again.Model.Input != "Mul:0" || again.Members[0] != "classify_image_graph_def.pb" {
		t.Error("Lookup shares state with the registry")
	}
	if got := download.PinEnv(download.MobileNetV1); got != "GOTL_SHA256_MOBILENET_V1_1_0_224" {
		t.Errorf("PinEnv = %s", got)
	}
	_, err := download.Fetch("resnet", t.TempDir(), nil)
	mustContain(t, err, `unknown resource "resnet"`, download.FlowerPhotos)
}

// FetchResource downloads, verifies and extracts an archive; a second call
// reuses it. Here a loopback server stands in for the Internet.
func ExampleFetchResource() {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "labels.txt", Mode: 0o644, Size: 12})
	tw.Write([]byte("daisy\nroses\n"))
	tw.Close()
	gz.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(buf.Bytes()) }))
	defer srv.Close()

	dir, _ := os.MkdirTemp("", "zoo-example-")
	defer os.RemoveAll(dir)
	r := download.Resource{Name: "my_labels", URL: srv.URL + "/labels.tgz", Archive: "labels.tgz", Members: []string{"labels.txt"}}
	for range 2 {
		f, err := download.FetchResource(r, dir, &download.FetchOptions{Quiet: true})
		if err != nil {
			fmt.Println(err)
			return
		}
		labels, _ := os.ReadFile(f.Path("labels.txt"))
		fmt.Printf("downloaded=%v pinned=%v labels=%q\n", f.Downloaded, f.Pinned, labels)
	}
	fmt.Println("pin with", download.PinEnv(r.Name))
	// Output:
	// downloaded=true pinned=false labels="daisy\nroses\n"
	// downloaded=false pinned=false labels="daisy\nroses\n"
	// pin with GOTL_SHA256_MY_LABELS
}

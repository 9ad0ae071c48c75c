"""Jupyter kernel conformance tests for gotl's kernel (GoNB + gotl's workspace).

Run by tests/notebooks/notebooks_test.go (TestKernelConformance) against a kernelspec
installed into a temporary JUPYTER_DATA_DIR; by hand:

    GOTL_KERNEL_NAME=gotl /usr/bin/python3 -m unittest -v test_gotl_kernel

The kernel should run with -raw_error=true: with HTML errors GoNB sends a
display_data before the error, and test_error expects the error alone.
is_complete samples stay unset on purpose: GoNB never answers
is_complete_request and jupyter_kernel_test waits for the reply forever.
"""

import os
import time
import unittest

import jupyter_kernel_test as jkt

# Cells compile in about a second once the build cache is warm, but the first
# compile after a kernel start, or on a cold cache, can take much longer than
# jupyter_kernel_test's 15 s; setUpClass pays that cost with this timeout.
WARM_UP_TIMEOUT = int(os.environ.get("GOTL_KERNEL_WARM_UP_TIMEOUT", "600"))

# jupyter_kernel_test waits 15 s for each reply. A cell is compiled and
# linked before it runs, which on a loaded 2-core CI machine (the whole test
# suite runs in parallel) can take longer, so the wait is raised.
REPLY_TIMEOUT = int(os.environ.get("GOTL_KERNEL_REPLY_TIMEOUT", "120"))
jkt.TIMEOUT = REPLY_TIMEOUT  # read at call time by the kernel_info and inspect tests

NB = 'import "github.com/gotl/gotl/helpers/nb"\n'


class GotlKernelTests(jkt.KernelTests):
    kernel_name = os.environ.get("GOTL_KERNEL_NAME", "gotl")
    language_name = "go"
    file_extension = ".go"

    code_hello_world = '%%\nfmt.Println("hello, world")'
    code_stderr = '%%\nfmt.Fprintln(os.Stderr, "oops")'
    # gopls answers completions and inspection only inside a Go body (after
    # %% or in a func); its matches are fuzzy, so each set is a subset.
    completion_samples = [
        {"text": "%%\nfmt.Printl", "matches": {"Println", "Fprintln", "Sprintln"}},
        {"text": "%%\nstrings.ToUp", "matches": {"ToUpper", "ToUpperSpecial"}},
    ]
    code_inspect_sample = "%%\nfmt.Println(1)"
    code_generate_error = "%%\nfmt.Println(undefinedThing)"
    # Notebooks import gotl's display layer, never gonbui directly (a direct
    # gonbui import makes GoNB "go get" it, which fails offline). nb.Sync()
    # waits until GoNB has forwarded the output: GoNB reads displays from a
    # pipe concurrently with the program's exit, and without it a display
    # sent just before exit can reach Jupyter after the execute reply
    # (seen about once in 20 runs), when jupyter_kernel_test stopped looking.
    code_display_data = [
        {"code": NB + '%%\nnb.DisplayHTML("<b>bold</b>")\nnb.Sync()', "mime": "text/html"},
        {"code": NB + '%%\nnb.DisplayMarkdown("*emphasis*")\nnb.Sync()', "mime": "text/markdown"},
        {"code": NB + '%%\nnb.DisplaySVG(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>`)\nnb.Sync()',
         "mime": "image/svg+xml"},
        {"code": NB + 'import ("bytes"; "image"; "image/png")\n%%\n'
                      'var buf bytes.Buffer\n'
                      'if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil { panic(err) }\n'
                      'nb.DisplayPNG(buf.Bytes())\nnb.Sync()',
         "mime": "image/png"},
    ]

    def execute_helper(self, code, timeout=REPLY_TIMEOUT, **kwargs):
        # The base class binds its 15 s default at definition time.
        return super().execute_helper(code, timeout=timeout, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reply = cls.kc.execute_interactive(NB + '%%\nnb.DisplayMarkdown("warm")',
                                           timeout=WARM_UP_TIMEOUT, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        cls.wait_for_gopls()

    @classmethod
    def wait_for_gopls(cls):
        """Completions come from gopls, which first loads the whole workspace
        (gotl and GoMLX): on a fresh checkout and a busy 2-core machine that
        takes longer than a reply timeout, and until then GoNB answers
        complete_request with status "error". Poll until it answers."""
        code = "%%\nfmt.Printl"
        deadline = time.monotonic() + WARM_UP_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            msg_id = cls.kc.complete(code, len(code))
            while True:
                reply = cls.kc.get_shell_msg(timeout=REPLY_TIMEOUT)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            last = reply["content"]
            if last.get("status") == "ok" and last.get("matches"):
                return
            time.sleep(2)
        raise AssertionError("gopls never answered a completion in %d s: %r" % (WARM_UP_TIMEOUT, last))


del jkt  # otherwise unittest also collects the base class, which tests python3

if __name__ == "__main__":
    unittest.main()

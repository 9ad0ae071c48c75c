# fake_frontend.py: a manual check of helpers/nb's widgets in interactive mode
# without a browser. It starts the gotl kernel as a Jupyter server would (a
# connection file named kernel-<uuid>.json, so GoNB knows its kernel id),
# then plays the browser's side of GoNB's widget protocol: it answers the
# connection script with "comm_open", answers gotl's probe, reports the
# initial values of the synced variables of the button and the slider, moves
# the slider and clicks three times.
#
# Run (needs Jupyter and the gotl kernelspec; Debian's Python):
#   /usr/bin/python3 helpers/nb/testdata/fake_frontend.py
# Expected stdout ends with:
#   interactive true true true
#   click 1 lr=0.1
#   click 2 lr=0.1
#   click 3 lr=0.1
# If it is killed, kill the orphaned gonb kernel and gopls by PID.
import jupyter_client, os, re, time, uuid, queue

# A connection file named like a Jupyter server's (kernel-<uuid>.json), so
# GoNB knows its kernel id, as under a notebook server.
import tempfile
conn = os.path.join(tempfile.mkdtemp(), f"kernel-{uuid.uuid4()}.json")
km = jupyter_client.KernelManager(kernel_name="gotl", connection_file=conn)
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
kid = None
comm_id = None
connected = False
pending = []   # (address, value) to send once connected
log = []

def send_comm(kind, content):
    msg = kc.session.msg(kind, content)
    kc.shell_channel.send(msg)

def send_value(address, value):
    if not connected:
        pending.append((address, value)); return
    send_comm("comm_msg", {"comm_id": comm_id, "data": {"address": address, "value": value}})

code = '''import "github.com/gotl/gotl/helpers/nb"
%%
step := nb.NewButton("Step")
lr, err := nb.NewLogSlider("lr", 1e-4, 1, 0.01)
if err != nil { panic(err) }
fmt.Println("interactive", nb.Interactive(), step.Interactive(), lr.Interactive())
for n := range step.Clicks(2) {
	fmt.Printf("click %d lr=%.4g\\n", n, lr.Value())
	if n == 3 {
		break
	}
}'''
try:
    # warm-up so the build is outside the widget timing
    kc.execute_interactive('import "github.com/gotl/gotl/helpers/nb"\n%%\nfmt.Println(nb.IsNotebook())', timeout=300, output_hook=lambda m: None)
    msg_id = kc.execute(code)
    addresses = {}
    stdout = ""
    sent_clicks = False
    deadline = time.time() + 60
    done = False
    while time.time() < deadline and not done:
        try:
            m = kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            m = None
        if m:
            t = m["msg_type"]; c = m["content"]
            if t in ("display_data", "update_display_data"):
                html = c["data"].get("text/html", "")
                if "gonb_comm" in html and "new WebSocket" in html and comm_id is None:
                    kid = re.search(r'_kernel_id: "([^"]*)"', html).group(1)
                    comm_id = str(uuid.uuid4())
                    send_comm("comm_open", {"comm_id": comm_id, "target_name": "gonb_comm", "kernel_id": kid, "data": {}})
                    log.append("comm_open sent")
                for addr, val in re.findall(r'newSyncedVariable\("([^"]+)",\s*([^)]+)\)', html):
                    kind = "button" if addr.startswith("/button/") else "slider"
                    addresses[kind] = addr
                    v = 0 if kind == "button" else 50  # the slider's initial position (0.01)
                    log.append(f"synced var {kind} {addr}")
                    send_value(addr, v)
                for addr in re.findall(r'gonb_comm\.send\("(/gotl/probe/[^"]+)"', html):
                    log.append("probe " + addr)
                    send_value(addr, 1)
            elif t == "comm_msg":
                a = c["data"].get("address")
                if a == "#comm_open_ack":
                    connected = True; log.append("connected")
                    for p in pending: send_value(*p)
                    pending.clear()
                elif a == "#heartbeat/ping":
                    send_value("#heartbeat/pong", True)
            elif t == "stream":
                stdout += c["text"]
                if "interactive" in stdout and not sent_clicks:
                    sent_clicks = True
                    send_value(addresses["slider"], 75)   # lr = 1e-4 * 10^3 = 0.1
                    time.sleep(0.5)
                    for n in (1, 2, 3):
                        send_value(addresses["button"], n); time.sleep(0.3)
            elif t == "status" and c["execution_state"] == "idle" and m["parent_header"].get("msg_id") == msg_id:
                done = True
    print("\n".join(log))
    if time.time() >= deadline:
        print("TIMED OUT")
    print("STDOUT:\n" + stdout)
finally:
    kc.stop_channels(); km.shutdown_kernel()  # graceful: GoNB then stops its gopls

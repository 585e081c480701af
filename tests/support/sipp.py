"""Real SIP peers for the tests: sipp scenarios built from small scripts.

Citizens call in through the trunk (digest auth) and send DTMF as RFC 4733 events from the
pcaps shipped with Debian's sip-tester, the way a real operator trunk does. Softphones are
sipp servers listening where the sandbox's static AORs point: answer after N s, never
answer (and handle CANCEL), busy (486) or reject (603).
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tests.support import idle_ports

PCAP_DIR = Path("/usr/share/sip-tester")
HEADER = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n'

SDP = """v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
"""


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


Step = tuple[str, str | int]  # ("pause", ms) | ("dtmf", "1#") | ("audio", "")


def citizen_scenario(steps: list[Step], hang_up: bool = True, answer_updates: bool = False) -> str:
    """INVITE with auth, ACK, then the steps, then BYE (or wait for the far end's BYE).
    ``answer_updates``: pauses answer re-INVITEs and UPDATEs (a citizen who is bridged)."""
    body = [
        HEADER,
        '<scenario name="citizen">',
        _invite(auth=False),
        '<recv response="100" optional="true"/>',
        '<recv response="401" auth="true"/>',
        _ack_for_error(),
        _invite(auth=True),
        '<recv response="100" optional="true"/>',
        '<recv response="180" optional="true"/>',
        '<recv response="183" optional="true"/>',
        '<recv response="200" rtd="true" crlf="true" rrs="true"/>',
        _ack(),
    ]
    for number, (kind, value) in enumerate(steps):
        if kind == "pause" and answer_updates:
            body += _pause_answering_updates(f"c{number}", int(value))
        elif kind == "pause":
            body.append(f'<pause milliseconds="{int(value)}"/>')
        elif kind == "dtmf":
            for digit in str(value):
                name = {"*": "star", "#": "pound"}.get(digit, digit)
                body.append(
                    f'<nop><action><exec play_pcap_audio="{PCAP_DIR}/dtmf_2833_{name}.pcap"/>'
                    "</action></nop>"
                )
                body.append('<pause milliseconds="400"/>')
        elif kind == "audio":  # speech: the A-law sample, played while the steps go on
            body.append(
                f'<nop><action><exec play_pcap_audio="{PCAP_DIR}/g711a.pcap"/></action></nop>'
            )
        else:
            raise ValueError(f"unknown step {kind}")
    if hang_up:
        body += [
            '<send retrans="500"><![CDATA[\nBYE [next_url] SIP/2.0\n'
            "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
            "From: <sip:trunk@[remote_ip]>;tag=[pid]SIPpTag00[call_number]\n"
            "To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\nCall-ID: [call_id]\nCSeq: 3 BYE\n"
            "Contact: <sip:trunk@[local_ip]:[local_port]>\nMax-Forwards: 70\n"
            "Content-Length: 0\n\n]]></send>",
            '<recv response="200"/>',
        ]
    else:
        body += [
            '<recv request="BYE"/>',
            _respond("200", "OK", sdp=False),
        ]
    body.append("</scenario>")
    return "\n".join(body)


def _invite(auth: bool) -> str:
    cseq = 2 if auth else 1
    auth_line = "[authentication]\n" if auth else ""
    return (
        '<send retrans="500"><![CDATA[\n'
        "INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        'From: "[field0]" <sip:trunk@[remote_ip]>;tag=[pid]SIPpTag00[call_number]\n'
        "To: <sip:[service]@[remote_ip]:[remote_port]>\n"
        "Call-ID: [call_id]\n"
        f"CSeq: {cseq} INVITE\n"
        "Contact: <sip:trunk@[local_ip]:[local_port]>\n"
        "P-Asserted-Identity: <sip:[field0]@[remote_ip]>\n"
        f"{auth_line}"
        "Max-Forwards: 70\nContent-Type: application/sdp\nContent-Length: [len]\n\n"
        f"{SDP}]]></send>"
    )


def _ack_for_error() -> str:
    return (
        "<send><![CDATA[\nACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: <sip:trunk@[remote_ip]>;tag=[pid]SIPpTag00[call_number]\n"
        "To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
        "Call-ID: [call_id]\nCSeq: 1 ACK\nMax-Forwards: 70\nContent-Length: 0\n\n]]></send>"
    )


def _ack() -> str:
    return (
        "<send><![CDATA[\nACK [next_url] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: <sip:trunk@[remote_ip]>;tag=[pid]SIPpTag00[call_number]\n"
        "To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
        "Call-ID: [call_id]\nCSeq: 2 ACK\nContact: <sip:trunk@[local_ip]:[local_port]>\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>"
    )


def _respond(code: str, reason: str, sdp: bool) -> str:
    content = (
        "Content-Type: application/sdp\nContent-Length: [len]\n\n" + SDP
        if sdp
        else "Content-Length: 0\n\n"
    )
    return (
        f"<send><![CDATA[\nSIP/2.0 {code} {reason}\n"
        "[last_Via:]\n[last_From:]\n[last_To:];tag=[pid]SIPpTag01[call_number]\n"
        "[last_Call-ID:]\n[last_CSeq:]\n"
        "Contact: <sip:[local_ip]:[local_port];transport=[transport]>\n"
        f"{content}]]></send>"
    )


PhoneBehaviour = Literal["answer", "never", "busy", "reject"]


def phone_scenario(
    behaviour: PhoneBehaviour, answer_after_ms: int = 0, hold_ms: int = 30000
) -> str:
    """One incoming call handled as a softphone would; the far end (or we) hang up."""
    # sipp refuses a variable that is assigned but never used, so only "never" captures it.
    capture = (
        '<recv request="INVITE" crlf="true"><action>'
        '<ereg regexp="([0-9]+)" search_in="hdr" header="CSeq:" assign_to="invite_cseq"/>'
        "</action></recv>"
        if behaviour == "never"
        else '<recv request="INVITE" crlf="true"/>'
    )
    body = [HEADER, f'<scenario name="phone-{behaviour}">', capture]
    if behaviour == "busy":
        body += [_respond("486", "Busy Here", sdp=False), '<recv request="ACK"/>']
    elif behaviour == "reject":
        body += [_respond("603", "Decline", sdp=False), '<recv request="ACK"/>']
    else:
        body.append(_respond("180", "Ringing", sdp=False))
        if behaviour == "never":
            body += [
                '<recv request="CANCEL"/>',
                _respond("200", "OK", sdp=False),
                _respond("487", "Request Terminated", sdp=False).replace(
                    "[last_CSeq:]", "CSeq: [$invite_cseq] INVITE"
                ),
                '<recv request="ACK"/>',
            ]
        else:
            body += [
                f'<pause milliseconds="{answer_after_ms}"/>',
                _respond("200", "OK", sdp=True),
                '<recv request="ACK" optional="false"/>',
                '<recv request="BYE" timeout="' + str(hold_ms) + '" ontimeout="done"/>',
                _respond("200", "OK", sdp=False),
                '<label id="done"/>',
            ]
    body.append("</scenario>")
    return "\n".join(body)


@dataclass
class SippRun:
    process: subprocess.Popen[bytes]
    workdir: Path
    name: str
    logs: list[Path] = field(default_factory=list)

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"sipp {self.name} did not finish in {timeout} s\n{self.tail()}"
            ) from None

    def tail(self) -> str:
        out = []
        for path in sorted(self.workdir.glob("*")):
            if path.suffix in (".log", ".txt") and path.stat().st_size:
                out.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:])
        return "\n".join(out)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_sipp(name: str, scenario_xml: str, args: list[str], workdir: Path | None = None) -> SippRun:
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"sipp-{name}-"))
    scenario = workdir / f"{name}.xml"
    scenario.write_text(scenario_xml)
    cmd = [
        "sipp",
        "-sf",
        str(scenario),
        "-nostdin",
        "-trace_err",
        "-trace_msg",
        "-message_file",
        str(workdir / "messages.log"),
        "-error_file",
        str(workdir / "errors.log"),
        "-i",
        "127.0.0.1",
        *args,
    ]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    guard = idle_ports.current()
    listens_on = int(args[args.index("-p") + 1]) if "-p" in args else None
    if guard is None or listens_on is None:
        return SippRun(start(), workdir, name)
    return SippRun(guard.hand_over(listens_on, start), workdir, name)


def call_in(
    pbx: dict,
    dialled: str,
    steps: list[Step],
    caller: str = "0701740650",
    hang_up: bool = True,
    timeout_s: int = 60,
) -> SippRun:
    """Place one citizen call through the trunk; returns the running sipp."""
    port, media = free_port(), free_port()
    csv = Path(tempfile.mkdtemp(prefix="sipp-caller-")) / "caller.csv"
    csv.write_text(f"SEQUENTIAL\n{caller};\n")
    host, sip_port = pbx["sip"].split(":")
    args = [
        "-m",
        "1",
        "-p",
        str(port),
        "-mp",
        str(media),
        "-s",
        dialled,
        "-inf",
        str(csv),
        "-au",
        "trunk",
        "-ap",
        pbx["trunk"]["password"],
        "-timeout",
        f"{timeout_s}s",
        "-timeout_error",
        f"{host}:{sip_port}",
    ]
    return run_sipp("citizen", citizen_scenario(steps, hang_up), args, workdir=csv.parent)


def phone(
    pbx: dict,
    extension: str,
    behaviour: PhoneBehaviour,
    answer_after_ms: int = 0,
    hold_ms: int = 30000,
    calls: int = 1,
) -> SippRun:
    """A softphone for a sandbox extension, listening where its static AOR points."""
    port = pbx["phones"][extension]["listens_on"]
    args = ["-m", str(calls), "-p", str(port), "-mp", str(free_port())]
    return run_sipp(f"phone-{extension}", phone_scenario(behaviour, answer_after_ms, hold_ms), args)


# --- queue tests (additive) ----------------------------------------------------------------


def answering_scenario(answer_after_ms: int = 0, hold_ms: int = 2000) -> str:
    """A phone that answers and, after ``hold_ms``, hangs up itself (sends BYE); if the far
    end hangs up first it answers that BYE. One scenario per incoming call."""
    body = [
        HEADER,
        '<scenario name="phone-answers-and-hangs-up">',
        '<recv request="INVITE" crlf="true" rrs="true"><action>'
        '<ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>'
        "</action></recv>",
        _respond("180", "Ringing", sdp=False),
        f'<pause milliseconds="{answer_after_ms}"/>',
        _respond("200", "OK", sdp=True),
        '<recv request="ACK"/>',
        '<label id="talk"/>',
        f'<recv request="INVITE" optional="true" next="reinvite" timeout="{hold_ms}" '
        'ontimeout="hangup"/>',
        '<recv request="UPDATE" optional="true" next="update"/>',
        '<recv request="BYE"/>',
        _respond("200", "OK", sdp=False),
        '<nop next="done"/>',
        *_in_call_updates("talk"),
        '<label id="hangup"/>',
        '<send retrans="500"><![CDATA[\nBYE [next_url] SIP/2.0\n'
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: <sip:[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]\n"
        "To: [$remote_from]\nCall-ID: [call_id]\nCSeq: 1 BYE\n"
        "Contact: <sip:[local_ip]:[local_port]>\nMax-Forwards: 70\n"
        "Content-Length: 0\n\n]]></send>",
        '<recv response="200"/>',
        '<label id="done"/>',
        "</scenario>",
    ]
    return "\n".join(body)


def answering_phone(
    pbx: dict, extension: str, calls: int = 1, answer_after_ms: int = 0, hold_ms: int = 2000
) -> SippRun:
    """A telephonist's softphone that answers each call and hangs up after ``hold_ms``."""
    port = pbx["phones"][extension]["listens_on"]
    args = ["-m", str(calls), "-p", str(port), "-mp", str(free_port())]
    return run_sipp(f"phone-{extension}", answering_scenario(answer_after_ms, hold_ms), args)


def outside_phone(pbx: dict, calls: int = 1, hold_ms: int = 3000, answers: bool = True) -> SippRun:
    """Outside numbers (callbacks) leave through the trunk to 127.0.0.1:29999: answer them
    (or, with ``answers=False``, let them ring until the caller gives up)."""
    from vaxel.asterisk.sandbox_config import PSTN_PORT

    args = ["-m", str(calls), "-p", str(PSTN_PORT), "-mp", str(free_port())]
    scenario = answering_scenario(0, hold_ms) if answers else phone_scenario("never")
    return run_sipp("outside", scenario, args)


def dial_from_phone(pbx: dict, extension: str, digits: str, pause_ms: int = 0) -> SippRun:
    """A softphone dials ``digits`` (e.g. a feature code) and listens until the controller
    hangs up (after its confirmation)."""
    scenario = citizen_scenario([("pause", pause_ms)], hang_up=False)
    scenario = scenario.replace("sip:trunk@", f"sip:{extension}@")
    host, sip_port = pbx["sip"].split(":")
    args = [
        "-m", "1", "-p", str(free_port()), "-mp", str(free_port()), "-s", digits,
        "-au", extension, "-ap", str(pbx["phones"][extension]["password"]),
        "-timeout", "20s", "-timeout_error",
    ]  # fmt: skip
    csv = Path(tempfile.mkdtemp(prefix="sipp-phone-")) / "caller.csv"
    csv.write_text(f"SEQUENTIAL\n{extension};\n")
    args += ["-inf", str(csv), f"{host}:{sip_port}"]
    return run_sipp("dial", scenario, args, workdir=csv.parent)


def _in_call_updates(back: str) -> list[str]:
    """Answer re-INVITEs and UPDATEs (e.g. connected-line updates when Asterisk bridges
    the call) and go back to label ``back``."""
    return [
        '<label id="reinvite"/>',
        _respond("200", "OK", sdp=True),
        f'<recv request="ACK" next="{back}"/>',
        '<label id="update"/>',
        _respond("200", "OK", sdp=False),
        f'<nop next="{back}"/>',
    ]


def waiting_citizen_scenario(steps: list[Step]) -> str:
    """A citizen who does the steps and then stays on the line until the far end hangs up,
    accepting re-INVITEs and UPDATEs meanwhile (Asterisk sends them when it bridges)."""
    scenario = citizen_scenario(steps, hang_up=False, answer_updates=True)
    tail = '<recv request="BYE"/>\n' + _respond("200", "OK", sdp=False) + "\n</scenario>"
    assert scenario.endswith(tail)
    loop = [
        '<label id="wait"/>',
        '<recv request="INVITE" optional="true" next="reinvite"/>',
        '<recv request="UPDATE" optional="true" next="update"/>',
        '<recv request="BYE"/>',
        _respond("200", "OK", sdp=False),
        '<nop next="done"/>',
        *_in_call_updates("wait"),
        '<label id="done"/>',
        "</scenario>",
    ]
    return scenario[: -len(tail)] + "\n".join(loop)


def waiting_citizen(
    pbx: dict, dialled: str, steps: list[Step], caller: str, timeout_s: int = 150
) -> SippRun:
    """``call_in`` for a citizen who waits to be served (see ``waiting_citizen_scenario``)."""
    port, media = free_port(), free_port()
    csv = Path(tempfile.mkdtemp(prefix="sipp-caller-")) / "caller.csv"
    csv.write_text(f"SEQUENTIAL\n{caller};\n")
    host, sip_port = pbx["sip"].split(":")
    args = [
        "-m", "1", "-p", str(port), "-mp", str(media), "-s", dialled, "-inf", str(csv),
        "-au", "trunk", "-ap", pbx["trunk"]["password"],
        "-timeout", f"{timeout_s}s", "-timeout_error", f"{host}:{sip_port}",
    ]  # fmt: skip
    scenario = _fresh_dtmf(waiting_citizen_scenario(steps), csv.parent)
    return run_sipp("citizen", scenario, args, workdir=csv.parent)


def _fresh_dtmf(scenario: str, workdir: Path) -> str:
    """Every key press gets its own copy of the digit's pcap with later RTP sequence numbers
    and timestamps. The shipped pcaps all carry the same ones, so Asterisk takes a second
    press of the same digit for a retransmission of the first and drops it."""
    import re
    import struct

    count = 0

    def copy(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        data = bytearray(Path(match.group(1)).read_bytes())
        offset = 24
        while offset < len(data):
            length = struct.unpack_from("<I", data, offset + 8)[0]
            packet = offset + 16
            rtp = packet + 14 + (data[packet + 14] & 15) * 4 + 8
            seq, stamp = struct.unpack_from(">HI", data, rtp + 2)
            struct.pack_into(">HI", data, rtp + 2, (seq + 50 * count) % 65536,
                             (stamp + 16000 * count) % 2**32)  # fmt: skip
            offset = packet + length
        target = workdir / f"key-{count}.pcap"
        target.write_bytes(bytes(data))
        return f'play_pcap_audio="{target}"'

    return re.sub(r'play_pcap_audio="([^"]+dtmf_2833_[^"]+)"', copy, scenario)


# --- handoff tests (additive) --------------------------------------------------------------


def _reply_in_dialog(code: str, reason: str) -> str:
    """A response to a request inside the dialog (its To already carries our tag)."""
    return (
        f"<send><![CDATA[\nSIP/2.0 {code} {reason}\n"
        "[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n[last_CSeq:]\n"
        "Contact: <sip:[local_ip]:[local_port];transport=[transport]>\n"
        "Content-Length: 0\n\n]]></send>"
    )


def _pause_answering_updates(label: str, ms: int) -> list[str]:
    """A pause that answers Asterisk's re-INVITEs and UPDATEs (sent when it bridges the
    call): a plain <pause> aborts the call on them. Each one restarts the pause."""
    return [
        f'<label id="{label}"/>',
        f'<recv request="INVITE" optional="true" next="{label}i" timeout="{ms}" '
        f'ontimeout="{label}e"/>',
        f'<recv request="UPDATE" next="{label}u"/>',
        f'<label id="{label}i"/>',
        _respond("200", "OK", sdp=True),
        f'<recv request="ACK" next="{label}"/>',
        f'<label id="{label}u"/>',
        _respond("200", "OK", sdp=False),
        f'<nop next="{label}"/>',
        f'<label id="{label}e"/>',
    ]


def softphone_scenario(
    extension: str,
    steps: list[Step],
    refer_to: str | None = None,
    answer_after_ms: int = 0,
    hold_ms: int = 60000,
) -> str:
    """A telephonist's softphone for one call: answers, does ``steps`` (pauses, RFC 4733
    DTMF), optionally presses the transfer button (sends REFER to ``refer_to``), then stays
    on the line answering re-INVITEs, UPDATEs and NOTIFYs until the far end hangs up (or
    hangs up itself after ``hold_ms``)."""
    body = [
        HEADER,
        '<scenario name="softphone">',
        '<recv request="INVITE" crlf="true" rrs="true"><action>'
        '<ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>'
        "</action></recv>",
        _respond("180", "Ringing", sdp=False),
        f'<pause milliseconds="{answer_after_ms}"/>',
        _respond("200", "OK", sdp=True),
        '<recv request="ACK"/>',
    ]
    for number, (kind, value) in enumerate(steps):
        if kind == "pause":
            body += _pause_answering_updates(f"p{number}", int(value))
        elif kind == "dtmf":  # SIP INFO (application/dtmf-relay): no RTP needed
            for place, digit in enumerate(str(value)):
                if place:  # not after the last key: its answer (e.g. a BYE) may come at once
                    body.append('<pause milliseconds="150"/>')
                body += [
                    '<send retrans="500"><![CDATA[\nINFO [next_url] SIP/2.0\n'
                    "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
                    f"From: <sip:{extension}@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]\n"
                    "To: [$remote_from]\nCall-ID: [call_id]\nCSeq: [cseq] INFO\n"
                    f"Contact: <sip:{extension}@[local_ip]:[local_port]>\n"
                    "Max-Forwards: 70\nContent-Type: application/dtmf-relay\n"
                    f"Content-Length: [len]\n\nSignal={digit}\r\nDuration=160\r\n]]></send>",
                    '<recv response="200"/>',
                ]
    if refer_to:
        body += [
            '<send retrans="500"><![CDATA[\nREFER [next_url] SIP/2.0\n'
            "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
            f"From: <sip:{extension}@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]\n"
            "To: [$remote_from]\nCall-ID: [call_id]\nCSeq: [cseq] REFER\n"
            f"Contact: <sip:{extension}@[local_ip]:[local_port]>\n"
            f"Refer-To: <sip:{refer_to}@127.0.0.1>\n"
            f"Referred-By: <sip:{extension}@[local_ip]:[local_port]>\n"
            "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>",
            '<recv response="202"/>',
        ]
    body += [
        '<label id="talk"/>',
        f'<recv request="INVITE" optional="true" next="reinvite" timeout="{hold_ms}" '
        'ontimeout="hangup"/>',
        '<recv request="UPDATE" optional="true" next="update"/>',
        '<recv request="NOTIFY" optional="true" next="notify"/>',
        '<recv request="BYE"/>',
        _reply_in_dialog("200", "OK"),
        '<nop next="done"/>',
        *_in_call_updates("talk"),
        '<label id="notify"/>',
        _reply_in_dialog("200", "OK"),
        '<nop next="talk"/>',
        '<label id="hangup"/>',
        '<send retrans="500"><![CDATA[\nBYE [next_url] SIP/2.0\n'
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: <sip:[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]\n"
        "To: [$remote_from]\nCall-ID: [call_id]\nCSeq: [cseq] BYE\n"
        "Contact: <sip:[local_ip]:[local_port]>\nMax-Forwards: 70\n"
        "Content-Length: 0\n\n]]></send>",
        '<recv response="200"/>',
        '<label id="done"/>',
        "</scenario>",
    ]
    return "\n".join(body)


def softphone(
    pbx: dict,
    extension: str,
    steps: list[Step] | None = None,
    refer_to: str | None = None,
    answer_after_ms: int = 0,
    hold_ms: int = 60000,
) -> SippRun:
    """One call to a sandbox phone handled as ``softphone_scenario`` describes."""
    port = pbx["phones"][extension]["listens_on"]
    args = ["-m", "1", "-p", str(port), "-mp", str(free_port())]
    scenario = softphone_scenario(extension, steps or [], refer_to, answer_after_ms, hold_ms)
    return run_sipp(f"softphone-{extension}", scenario, args)

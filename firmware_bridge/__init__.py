"""The ballot box: its firmware (firmware/), the serial protocol, and the host side.

Layers, bottom up: transport.py (bytes; pyserial URLs and sim://) → framing.py (COBS + CRC
frames, pure) → link.py (transactions: seq, timeout, resend) → box.py (BallotBox, the device API
the station uses). sim.py is a simulated box, emulator.py runs the real firmware under simavr,
faults.py spoils the wire on purpose. docs/protocol.md and docs/ballot-box.md explain them.
"""

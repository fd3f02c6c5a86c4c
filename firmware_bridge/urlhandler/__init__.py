"""pyserial URL handlers of this project (pyserial looks up ``protocol_<scheme>`` modules here)."""

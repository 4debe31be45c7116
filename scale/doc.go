// Package scale implements the SCALE codec (Simple Concatenated Aggregate
// Little-Endian) that Substrate chains use on the wire and in storage.
//
// Encoding is append-style: every Append* function appends the encoding of
// one value to a byte slice and returns the extended slice, so callers can
// reuse buffers. Decoding goes through a Decoder that reads from a byte slice
// it never copies.
//
// The decoder never panics on outside bytes and never trusts a length prefix:
// every length is checked against the input left before anything is
// allocated, so a hostile compact integer cannot make it allocate gigabytes.
// The package knows nothing of chains, metadata or type registries; package
// substrate builds those on top.
package scale

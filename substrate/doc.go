// Package substrate is a chain-agnostic Substrate client core: runtime
// metadata (v14 and v15), the portable type registry, dynamic values for any
// registry type, storage keys, extrinsic building, signing and decoding, and
// event decoding. It reads metadata; authoring and encoding it is the
// devnet's business (internal/metabuild).
//
// Everything is resolved by name from the runtime's own metadata, which is
// decoded once into a Metadata with by-name maps: nothing here hard-codes a
// pallet, call or extension index. Lookups return ok booleans; the
// convenience methods that fail return errors that carry the names they
// looked for.
//
// The package never talks to the network (see substrate/rpc) and never
// panics on outside bytes: metadata, extrinsics, storage values and events
// are all decoded with the bounded decoder of package scale.
package substrate

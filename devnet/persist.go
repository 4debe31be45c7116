package devnet

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/minerkit/minerkit/scale"
)

// The data directory holds one file, chain.bin: a magic string, every
// block (header and body) and the state at the last block, SCALE-encoded.
// It is rewritten atomically (temporary file and rename) every few seconds
// and on Close. State history before a restart is not kept: reads at old
// blocks see the state as of the restart.
const (
	chainFile  = "chain.bin"
	chainMagic = "minerkit-devnet-chain-v1"
	saveEvery  = 2 * time.Second
)

func (n *Node) saveLoop() {
	defer n.wg.Done()
	t := time.NewTicker(saveEvery)
	defer t.Stop()
	var saved uint32
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C:
			if head := n.BestNumber(); head != saved {
				if err := saveChain(n.chain, n.cfg.DataDir); err != nil {
					n.log.Error("devnet: save chain", "err", err)
					continue
				}
				saved = head
			}
		}
	}
}

func saveChain(c *chain, dir string) error {
	c.buildMu.Lock() // a consistent head and state
	c.mu.RLock()
	blocks := append([]*block(nil), c.blocks...)
	c.mu.RUnlock()
	snap := c.st.snapshot()
	c.buildMu.Unlock()

	b := scale.AppendString(nil, chainMagic)
	b = scale.AppendCompact(b, uint64(len(blocks)))
	for _, blk := range blocks {
		b = blk.header.appendSCALE(b)
		b = scale.AppendVec(b, blk.extrinsics, scale.AppendBytes)
	}
	ks := make([]string, 0, len(snap))
	for k := range snap {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	b = scale.AppendCompact(b, uint64(len(ks)))
	for _, k := range ks {
		b = scale.AppendBytes(b, []byte(k))
		b = scale.AppendBytes(b, snap[k])
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("devnet: data dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, chainFile+".*")
	if err != nil {
		return fmt.Errorf("devnet: save chain: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("devnet: save chain: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("devnet: save chain: %w", err)
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, chainFile))
}

// loadChain resumes the chain saved in dir, or starts a new one there.
func loadChain(rt *runtime, g *Genesis, ids accountIDs, dir string) (*chain, error) {
	fresh, err := newChain(rt, g, ids)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, chainFile))
	if os.IsNotExist(err) {
		return fresh, nil
	}
	if err != nil {
		return nil, fmt.Errorf("devnet: read saved chain: %w", err)
	}
	c, err := decodeChain(rt, data)
	if err != nil {
		return nil, fmt.Errorf("devnet: saved chain in %s: %w (remove the directory to start over)", dir, err)
	}
	if c.blocks[0].hash != fresh.blocks[0].hash {
		return nil, fmt.Errorf("devnet: %s holds a chain with genesis %s, but this genesis is %s: use another data directory or the same genesis",
			dir, hexHash(c.blocks[0].hash), hexHash(fresh.blocks[0].hash))
	}
	return c, nil
}

func decodeChain(rt *runtime, data []byte) (*chain, error) {
	d := scale.NewDecoder(data)
	magic, err := d.String()
	if err != nil || magic != chainMagic {
		return nil, fmt.Errorf("not a devnet chain file")
	}
	nBlocks, err := d.Len(32 + 1 + 64 + 1 + 1)
	if err != nil || nBlocks == 0 {
		return nil, fmt.Errorf("bad block count: %v", err)
	}
	c := &chain{rt: rt, st: newStore(0), byHash: make(map[[32]byte]uint32), pool: newPool(),
		watch: make(map[[32]byte][]func(txStatus)), lsn: make(map[int]func(*block)), maxTx: 4096}
	for i := 0; i < nBlocks; i++ {
		var h header
		p, err := d.Bytes(32)
		if err != nil {
			return nil, err
		}
		copy(h.parent[:], p)
		num, err := d.Compact()
		if err != nil {
			return nil, err
		}
		h.number = uint32(num)
		sr, err := d.Bytes(32)
		if err != nil {
			return nil, err
		}
		copy(h.stateRoot[:], sr)
		er, err := d.Bytes(32)
		if err != nil {
			return nil, err
		}
		copy(h.extrinsicsRoot[:], er)
		if _, err := d.Compact(); err != nil { // digest logs (none)
			return nil, err
		}
		exts, err := scale.DecodeVec(d, func(d *scale.Decoder) ([]byte, error) {
			b, err := d.ByteSlice()
			return bytes.Clone(b), err
		})
		if err != nil {
			return nil, err
		}
		if h.number != uint32(i) {
			return nil, fmt.Errorf("block %d is numbered %d", i, h.number)
		}
		c.appendBlock(&block{header: h, hash: h.hash(), extrinsics: exts})
	}
	nKeys, err := d.Len(2)
	if err != nil {
		return nil, err
	}
	changes := make(map[string][]byte, nKeys)
	for i := 0; i < nKeys; i++ {
		k, err := d.ByteSlice()
		if err != nil {
			return nil, err
		}
		v, err := d.ByteSlice()
		if err != nil {
			return nil, err
		}
		changes[string(k)] = bytes.Clone(v)
	}
	c.st.commit(uint32(nBlocks-1), changes)
	c.st.base = uint32(nBlocks - 1)
	return c, d.Finish()
}

package tfjpeg

import (
	"errors"
	"fmt"
)

// blockRef places one block of an MCU: the scan component and its offset
// in blocks from the MCU's top-left block.
type blockRef struct {
	comp   int // index into scanState.comps
	dx, dy int
}

// scanState decodes one scan.
type scanState struct {
	d      *decoder
	hdr    *scanHeader
	comps  []*component
	dc, ac []*huffTable
	br     bitReader

	blocks              []blockRef
	interleaved         bool
	mcusPerRow, mcuRows int
	restartsToGo        int
	nextRestart         int
	arith               *arithDecoder
}

// newScan validates the current SOS against the frame and prepares its
// tables and MCU layout.
func (d *decoder) newScan() (*scanState, error) {
	h := d.scan
	d.nscans++
	s := &scanState{d: d, hdr: h}
	s.br = bitReader{data: d.data, pos: d.pos, recoverTruncated: d.opts.TryRecoverTruncated}
	if d.fakeEOIUsed {
		s.br.recoverTruncated = false
	}
	for _, ci := range h.comps {
		c := &d.comps[ci]
		if err := d.latch(c); err != nil {
			return nil, err
		}
		s.comps = append(s.comps, c)
	}
	if d.progressive {
		bad := false
		if h.ss == 0 {
			bad = h.se != 0
		} else {
			bad = h.se < h.ss || h.se > 63 || len(h.comps) != 1
		}
		if h.ah != 0 && h.al != h.ah-1 {
			bad = true
		}
		if h.al > 13 {
			bad = true
		}
		if bad {
			return nil, fmt.Errorf("invalid progressive scan: Ss=%d Se=%d Ah=%d Al=%d", h.ss, h.se, h.ah, h.al)
		}
	}
	if d.arithmetic {
		// Arithmetic coding has 16 conditioning tables.
		for i := range h.comps {
			if (!d.progressive || (h.ss == 0 && h.ah == 0)) && h.dcTable[i] >= 16 {
				return nil, fmt.Errorf("arithmetic DC conditioning table %d out of range", h.dcTable[i])
			}
			if (!d.progressive || h.ss != 0) && h.acTable[i] >= 16 {
				return nil, fmt.Errorf("arithmetic AC conditioning table %d out of range", h.acTable[i])
			}
		}
	} else {
		if d.nscans == 1 {
			// Motion-JPEG frames may rely on the typical tables.
			for i := 0; i < 2; i++ {
				if d.dcSpecs[i] == nil {
					d.dcSpecs[i] = standardSpec(2 * i)
				}
				if d.acSpecs[i] == nil {
					d.acSpecs[i] = standardSpec(2*i + 1)
				}
			}
		}
		s.dc = make([]*huffTable, len(h.comps))
		s.ac = make([]*huffTable, len(h.comps))
		for i := range h.comps {
			needDC := !d.progressive || (h.ss == 0 && h.ah == 0)
			needAC := !d.progressive || h.ss != 0
			var err error
			if needDC {
				if s.dc[i], err = d.huffTable(h.dcTable[i], true); err != nil {
					return nil, err
				}
			}
			if needAC {
				if s.ac[i], err = d.huffTable(h.acTable[i], false); err != nil {
					return nil, err
				}
			}
		}
	}
	// MCU layout.
	if len(s.comps) == 1 {
		c := s.comps[0]
		s.mcusPerRow, s.mcuRows = c.blocksW, c.blocksH
		s.blocks = []blockRef{{}}
	} else {
		s.interleaved = true
		s.mcusPerRow, s.mcuRows = d.mcusPerRow, d.mcuRows
		for i, c := range s.comps {
			for y := 0; y < c.v; y++ {
				for x := 0; x < c.h; x++ {
					s.blocks = append(s.blocks, blockRef{comp: i, dx: x, dy: y})
				}
			}
		}
		if len(s.blocks) > maxBlocksInMCU {
			return nil, fmt.Errorf("MCU of %d blocks (at most %d)", len(s.blocks), maxBlocksInMCU)
		}
	}
	for _, c := range s.comps {
		c.dcPred = 0
		c.eobrun = 0
	}
	s.restartsToGo = d.restartInterval
	if d.arithmetic {
		s.arith = newArithDecoder(s)
	}
	return s, nil
}

func (d *decoder) huffTable(i int, isDC bool) (*huffTable, error) {
	kind := "AC"
	specs := &d.acSpecs
	if isDC {
		kind, specs = "DC", &d.dcSpecs
	}
	if i < 0 || i >= 4 || specs[i] == nil {
		return nil, fmt.Errorf("%s Huffman table %d is not defined", kind, i)
	}
	return specs[i].build(isDC)
}

// errSuspend reports that the data ended inside the scan.
var errSuspend = errors.New("suspend")

// processRestart is libjpeg's process_restart and read_restart_marker:
// drop the buffered bits, find the expected RSTn (resynchronizing as
// jpeg_resync_to_restart does when it is not there) and reset the
// predictions.
func (s *scanState) processRestart() error {
	d := s.d
	s.br.n = 0
	var m byte
	if s.br.marker {
		m = s.br.markerCode
		s.br.marker = false
	} else {
		var err error
		if m, err = s.nextMarker(); err != nil {
			return err
		}
		if m == markerEOI && d.fakeEOIUsed {
			s.br.fakeEOI = true
			s.br.recoverTruncated = false
		}
	}
	leftMarker := false
	want := byte(markerRST0 + s.nextRestart)
	if m != want {
		// jpeg_resync_to_restart.
		for {
			action := 1
			switch {
			case m < markerSOF0:
				action = 2
			case m < markerRST0 || m > markerRST7:
				action = 3
			case m == byte(markerRST0+(s.nextRestart+1)&7) || m == byte(markerRST0+(s.nextRestart+2)&7):
				action = 3
			case m == byte(markerRST0+(s.nextRestart+7)&7) || m == byte(markerRST0+(s.nextRestart+6)&7):
				action = 2
			}
			if action == 1 {
				break
			}
			if action == 3 {
				leftMarker = true
				break
			}
			var err error
			if m, err = s.nextMarker(); err != nil {
				return err
			}
		}
	}
	if leftMarker {
		s.br.marker = true
		s.br.markerCode = m
	} else {
		s.br.insufficient = false
	}
	s.nextRestart = (s.nextRestart + 1) & 7
	for _, c := range s.comps {
		c.dcPred = 0
		c.eobrun = 0
	}
	s.restartsToGo = d.restartInterval
	if s.arith != nil {
		s.arith.restart()
	}
	return nil
}

// nextMarker reads the next marker from the bit reader's position (the
// marker reader's next_marker); data running out suspends the scan.
func (s *scanState) nextMarker() (byte, error) {
	s.d.pos = s.br.pos
	m, err := s.d.nextMarker()
	if err != nil {
		if _, ok := err.(*truncatedError); ok {
			return 0, errSuspend
		}
		return 0, err
	}
	s.br.pos = s.d.pos
	return m, nil
}

// finish hands the data position back to the marker reader after the
// scan. It returns the marker that ended the scan's data, if the bit
// reader already read it.
func (s *scanState) finish() byte {
	s.d.pos = s.br.pos
	if s.br.fakeEOI {
		s.d.fakeEOIUsed = true
	}
	if s.br.marker {
		return s.br.markerCode
	}
	return 0
}

// mcuBlock returns the component and block coordinates of block b of MCU
// (mx, my).
func (s *scanState) mcuBlock(b, mx, my int) (*component, int, int) {
	r := s.blocks[b]
	c := s.comps[r.comp]
	if !s.interleaved {
		return c, mx, my
	}
	return c, mx*c.h + r.dx, my*c.v + r.dy
}

// decodeSingleScan decodes a file whose first scan holds every component
// (baseline and extended sequential): each block is transformed into its
// sample plane as soon as it is decoded.
func (d *decoder) decodeSingleScan() error {
	s, err := d.newScan()
	if err != nil {
		return err
	}
	var blocks [maxBlocksInMCU][64]int16
	total := s.mcusPerRow * s.mcuRows
	for mcu := 0; mcu < total; mcu++ {
		for b := range s.blocks {
			blocks[b] = [64]int16{}
		}
		err := s.decodeMCU(blocks[:len(s.blocks)])
		if err == errSuspend {
			d.suspended = true
			d.mcusDone = mcu
			return nil
		}
		if err != nil {
			return err
		}
		mx, my := mcu%s.mcusPerRow, mcu/s.mcusPerRow
		for b := range s.blocks {
			c, bx, by := s.mcuBlock(b, mx, my)
			if !c.needed || bx >= c.blocksW || by >= c.blocksH {
				continue
			}
			sz := c.scaled
			c.idct(&blocks[b], &c.mult, c.plane[by*sz*c.planeW+bx*sz:], c.planeW)
		}
	}
	d.mcusDone = total
	first := s.finish()
	// Read to EOI as jpeg_finish_decompress does; running out of data here
	// is not an error for TensorFlow, but a bad marker is.
	m, err := d.readMarkers(first)
	if err != nil {
		if _, ok := err.(*truncatedError); ok {
			return nil
		}
		return err
	}
	if m == markerSOS {
		return fmt.Errorf("unexpected second scan in a single-scan image")
	}
	return nil
}

// decodeAllScans decodes every scan of a progressive or multi-scan file
// into the coefficient buffers, reading the whole file as libjpeg's
// jpeg_start_decompress does.
func (d *decoder) decodeAllScans() error {
	for {
		s, err := d.newScan()
		if err != nil {
			return err
		}
		var tmp [maxBlocksInMCU]*[64]int16
		total := s.mcusPerRow * s.mcuRows
		for mcu := 0; mcu < total; mcu++ {
			mx, my := mcu%s.mcusPerRow, mcu/s.mcusPerRow
			for b := range s.blocks {
				c, bx, by := s.mcuBlock(b, mx, my)
				tmp[b] = (*[64]int16)(c.coefs[(by*c.paddedW+bx)*64:])
			}
			err := s.decodeMCUInPlace(tmp[:len(s.blocks)])
			if err == errSuspend {
				return &truncatedError{fmt.Sprintf("inside scan %d (MCU %d of %d)", d.nscans, mcu, total)}
			}
			if err != nil {
				return err
			}
		}
		first := s.finish()
		m, err := d.readMarkers(first)
		if err != nil {
			return err
		}
		if m == markerEOI {
			return nil
		}
	}
}

// decodeMCU decodes one MCU of a sequential scan into zeroed blocks.
func (s *scanState) decodeMCU(blocks [][64]int16) error {
	ptrs := [maxBlocksInMCU]*[64]int16{}
	for i := range blocks {
		ptrs[i] = &blocks[i]
	}
	return s.decodeMCUInPlace(ptrs[:len(blocks)])
}

// decodeMCUInPlace decodes one MCU, handling restart markers first.
func (s *scanState) decodeMCUInPlace(blocks []*[64]int16) error {
	d := s.d
	if d.restartInterval > 0 {
		if s.restartsToGo == 0 {
			if err := s.processRestart(); err != nil {
				return err
			}
		}
		s.restartsToGo--
	}
	if s.arith != nil {
		return s.arith.decodeMCU(blocks)
	}
	if s.br.insufficient {
		// Out of data in this segment: the blocks stay zero (uniform grey
		// for sequential scans, no refinement for progressive ones).
		return nil
	}
	h := s.hdr
	if !d.progressive {
		fast := d.restartInterval == 0 && !s.br.marker && len(s.br.data)-s.br.pos >= 512*len(blocks)
		if fast {
			saved := s.br
			var preds [maxCompsInScan]int32
			for i, c := range s.comps {
				preds[i] = c.dcPred
			}
			ok := s.decodeSequential(blocks, true)
			if !ok || !s.br.fastMarker {
				return nil
			}
			// A marker inside the MCU: decode it again with the slow
			// policy, as libjpeg-turbo does.
			s.br = saved
			for i, c := range s.comps {
				c.dcPred = preds[i]
			}
			for _, b := range blocks {
				*b = [64]int16{}
			}
		}
		if !s.decodeSequential(blocks, false) {
			return errSuspend
		}
		return nil
	}
	var ok bool
	switch {
	case h.ss == 0 && h.ah == 0:
		ok = s.decodeDCFirst(blocks)
	case h.ss == 0:
		ok = s.decodeDCRefine(blocks)
	case h.ah == 0:
		ok = s.decodeACFirst(blocks[0])
	default:
		ok = s.decodeACRefine(blocks[0])
	}
	if !ok {
		return errSuspend
	}
	return nil
}

// decodeSequential decodes the blocks of one sequential MCU (Figures F.12
// to F.14). It returns false on suspension.
func (s *scanState) decodeSequential(blocks []*[64]int16, fast bool) bool {
	br := &s.br
	for b, blk := range blocks {
		ci := s.blocks[b].comp
		c := s.comps[ci]
		sym, ok := br.decodeHuff(s.dc[ci], fast)
		if !ok {
			return false
		}
		var diff int32
		if sym != 0 {
			n := int(sym)
			var v int32
			if fast {
				br.fillFast()
				v = br.bits(n)
			} else if v, ok = br.receive(n); !ok {
				return false
			}
			diff = extend(v, n)
		}
		c.dcPred += diff
		blk[0] = int16(c.dcPred)
		ac := s.ac[ci]
		for k := 1; k < 64; k++ {
			rs, ok := br.decodeHuff(ac, fast)
			if !ok {
				return false
			}
			r, n := int(rs>>4), int(rs&15)
			if n == 0 {
				if r != 15 {
					break
				}
				k += 15
				continue
			}
			k += r
			var v int32
			if fast {
				br.fillFast()
				v = br.bits(n)
			} else if v, ok = br.receive(n); !ok {
				return false
			}
			blk[zigzag[k]] = int16(extend(v, n))
		}
	}
	return true
}

// decodeDCFirst is the first DC scan of a progressive file (G.1.2.1).
func (s *scanState) decodeDCFirst(blocks []*[64]int16) bool {
	br := &s.br
	al := uint(s.hdr.al)
	for b, blk := range blocks {
		ci := s.blocks[b].comp
		c := s.comps[ci]
		sym, ok := br.decodeHuff(s.dc[ci], false)
		if !ok {
			return false
		}
		var diff int32
		if sym != 0 {
			n := int(sym)
			v, ok := br.receive(n)
			if !ok {
				return false
			}
			diff = extend(v, n)
		}
		c.dcPred += diff
		blk[0] = int16(uint32(c.dcPred) << al)
	}
	return true
}

// decodeDCRefine appends one bit to each DC coefficient.
func (s *scanState) decodeDCRefine(blocks []*[64]int16) bool {
	p1 := int16(1) << uint(s.hdr.al)
	for _, blk := range blocks {
		v, ok := s.br.receive(1)
		if !ok {
			return false
		}
		if v != 0 {
			blk[0] |= p1
		}
	}
	return true
}

// decodeACFirst is the first AC scan of a band (G.1.2.2), with end-of-band
// runs.
func (s *scanState) decodeACFirst(blk *[64]int16) bool {
	c := s.comps[0]
	if c.eobrun > 0 {
		c.eobrun--
		return true
	}
	br := &s.br
	ac := s.ac[0]
	al := uint(s.hdr.al)
	for k := s.hdr.ss; k <= s.hdr.se; k++ {
		rs, ok := br.decodeHuff(ac, false)
		if !ok {
			return false
		}
		r, n := int(rs>>4), int(rs&15)
		if n != 0 {
			k += r
			v, ok := br.receive(n)
			if !ok {
				return false
			}
			blk[zigzag[k]] = int16(uint32(extend(v, n)) << al)
			continue
		}
		if r != 15 {
			run := 1 << uint(r)
			if r != 0 {
				v, ok := br.receive(r)
				if !ok {
					return false
				}
				run += int(v)
			}
			c.eobrun = run - 1
			break
		}
		k += 15
	}
	return true
}

// decodeACRefine is a successive-approximation AC refinement scan
// (G.1.2.3), as libjpeg's decode_mcu_AC_refine.
func (s *scanState) decodeACRefine(blk *[64]int16) bool {
	c := s.comps[0]
	br := &s.br
	ac := s.ac[0]
	p1 := int16(1) << uint(s.hdr.al)
	m1 := int16(-1) << uint(s.hdr.al)
	k := s.hdr.ss
	se := s.hdr.se
	refine := func(coef *int16) bool {
		v, ok := br.receive(1)
		if !ok {
			return false
		}
		if v != 0 && *coef&p1 == 0 {
			if *coef >= 0 {
				*coef += p1
			} else {
				*coef += m1
			}
		}
		return true
	}
	if c.eobrun == 0 {
		for ; k <= se; k++ {
			rs, ok := br.decodeHuff(ac, false)
			if !ok {
				return false
			}
			r, n := int(rs>>4), int(rs&15)
			var val int16
			if n != 0 {
				// The size of a newly non-zero coefficient is always 1.
				v, ok := br.receive(1)
				if !ok {
					return false
				}
				val = m1
				if v != 0 {
					val = p1
				}
			} else if r != 15 {
				c.eobrun = 1 << uint(r)
				if r != 0 {
					v, ok := br.receive(r)
					if !ok {
						return false
					}
					c.eobrun += int(v)
				}
				break
			}
			// Skip r zero coefficients, refining the non-zero ones met.
			for {
				coef := &blk[zigzag[k]]
				if *coef != 0 {
					if !refine(coef) {
						return false
					}
				} else {
					r--
					if r < 0 {
						break
					}
				}
				k++
				if k > se {
					break
				}
			}
			if val != 0 {
				blk[zigzag[k]] = val
			}
		}
	}
	if c.eobrun > 0 {
		for ; k <= se; k++ {
			coef := &blk[zigzag[k]]
			if *coef != 0 {
				if !refine(coef) {
					return false
				}
			}
		}
		c.eobrun--
	}
	return true
}

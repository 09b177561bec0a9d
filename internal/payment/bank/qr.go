package bank

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR codes are printed with error correction level M, as QR Platba asks.
const qrLevel = qrcode.Medium

// maxQRSize bounds QRPNG's image (pixels a side).
const maxQRSize = 4096

// qrModules returns the code's modules, the 4-module quiet zone included:
// modules[y][x] is true for a dark module.
func qrModules(s string) ([][]bool, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: nothing to put in a QR code", ErrFormat)
	}
	q, err := qrcode.New(s, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("%w: QR code: %v", ErrFormat, err)
	}
	return q.Bitmap(), nil
}

// QRPNG draws s as a QR code (level M) in a black-on-white PNG of size×size
// pixels. Every module is the same whole number of pixels; what is left
// over widens the white margin. size must leave at least one pixel a
// module (a QR Platba needs about 50 modules with the margin) and be at
// most 4096.
func QRPNG(s string, size int) ([]byte, error) {
	if size <= 0 || size > maxQRSize {
		return nil, fmt.Errorf("%w: QR image size %d outside 1..%d", ErrFormat, size, maxQRSize)
	}
	m, err := qrModules(s)
	if err != nil {
		return nil, err
	}
	n := len(m)
	scale := size / n
	if scale < 1 {
		return nil, fmt.Errorf("%w: QR image size %d is smaller than the code's %d modules", ErrFormat, size, n)
	}
	off := (size - n*scale) / 2
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !m[y][x] {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := img.Pix[(off+y*scale+dy)*img.Stride:]
				for dx := 0; dx < scale; dx++ {
					row[off+x*scale+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// QRSVG draws s as a QR code (level M) in an SVG element to put inline in
// a page: one module is one user unit of its viewBox (the 4-module quiet
// zone included), it scales to the width the page gives it, it has no
// script, no style attribute and no id (colours are fill attributes), so a
// strict Content-Security-Policy allows it, and it is announced to screen
// readers as an image named "QR Platba".
func QRSVG(s string) (string, error) {
	m, err := qrModules(s)
	if err != nil {
		return "", err
	}
	n := strconv.Itoa(len(m))
	var b strings.Builder
	b.Grow(len(m) * len(m) / 2)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + ` ` + n +
		`" shape-rendering="crispEdges" role="img" aria-label="QR Platba">`)
	b.WriteString(`<rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	for y, row := range m {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			// A run of dark modules as one rectangle, one unit high.
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F
)

var sets = map[Level]*Set{}

func init() {
	avx2 := &Set{level: AVX2, mr: 6, nr: 16, lanes: 8, gemm: gemmAVX2, dwTap: dwTapAVX2, dwGrad: dwGradAVX2,
		vv: [numOps]func(out, a, b *float32, n int){vvAddAVX2, vvSubAVX2, vvMulAVX2, vvDivAVX2, vvMaxAVX2, vvMinAVX2},
		vs: [numOps]func(out, a *float32, s float32, n int){vsAddAVX2, vsSubAVX2, vsMulAVX2, vsDivAVX2, vsMaxAVX2, vsMinAVX2},
		sv: [numOps]func(out, a *float32, s float32, n int){vsAddAVX2, svSubAVX2, vsMulAVX2, svDivAVX2, vsMaxAVX2, vsMinAVX2},
	}
	avx512 := &Set{level: AVX512, mr: 12, nr: 32, lanes: 16, gemm: gemmAVX512, dwTap: dwTapAVX512, dwGrad: dwGradAVX512,
		vv:   [numOps]func(out, a, b *float32, n int){vvAddAVX512, vvSubAVX512, vvMulAVX512, vvDivAVX512, vvMaxAVX512, vvMinAVX512},
		vs:   [numOps]func(out, a *float32, s float32, n int){vsAddAVX512, vsSubAVX512, vsMulAVX512, vsDivAVX512, vsMaxAVX512, vsMinAVX512},
		sv:   [numOps]func(out, a *float32, s float32, n int){vsAddAVX512, svSubAVX512, vsMulAVX512, svDivAVX512, vsMaxAVX512, vsMinAVX512},
		half: avx2,
	}
	sets[AVX2], sets[AVX512] = avx2, avx512
}

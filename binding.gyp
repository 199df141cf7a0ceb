{
  "targets": [
    {
      "target_name": "omni_native",
      "sources": ["native/addon.c", "native/gemm.c", "native/gemm_nn.c", "native/kernels.c", "native/parallel.c"],
      "cflags_c": [
        "-std=gnu11",
        "-O3",
        "-march=native",
        "-fno-math-errno",
        "-fno-trapping-math",
        "-fassociative-math",
        "-fno-signed-zeros",
        "-ffp-contract=fast",
        "-Wall",
        "-Wno-unused-parameter"
      ],
      "libraries": ["-ldl", "-lpthread", "-lm"]
    }
  ]
}

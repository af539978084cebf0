#pragma once
// Precompiled header for every target that includes LibTorch (about 18 s per file otherwise).
#include <torch/script.h>
#include <torch/torch.h>

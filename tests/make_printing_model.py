# Writes a TorchScript model whose forward prints: DigitLab must refuse it unless told to trust it.
# Usage: python3 make_printing_model.py OUT.pt
import sys

import torch


class Prints(torch.nn.Module):
    def forward(self, x):
        print("hello from the model")
        return torch.softmax(torch.ones(x.size(0), 10), 1)


torch.jit.script(Prints()).save(sys.argv[1])

#pragma once
// Writes model files the app must refuse; torch stays out of the Qt test's own translation unit.

#include <string>

/// Saves a TorchScript model whose forward prints before answering ten equal probabilities.
void writePrintingModel(const std::string& path);

#include "class_model.h"

#include <digitlab/digit_net.h>
#include <digitlab/torchscript.h>

void writeUntrainedModel(const std::string& path, const std::vector<std::string>& classNames) {
  digitlab::ModelSpec spec = digitlab::ModelSpec::digits();
  spec.num_classes = static_cast<int64_t>(classNames.size());
  spec.class_names = classNames;
  torch::manual_seed(1);
  digitlab::DigitNet net(spec);
  net->eval();
  digitlab::save_torchscript(net, path, "{}");
}

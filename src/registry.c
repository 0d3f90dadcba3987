/* SPDX-License-Identifier: ISC */
#include "registry.h"

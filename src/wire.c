/* SPDX-License-Identifier: ISC */
#include "wire.h"

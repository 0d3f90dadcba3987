/* SPDX-License-Identifier: ISC */
#include "directory.h"

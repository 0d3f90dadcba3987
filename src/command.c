/* SPDX-License-Identifier: ISC */
#include "command.h"

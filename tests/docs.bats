#!/usr/bin/env bats

load helper

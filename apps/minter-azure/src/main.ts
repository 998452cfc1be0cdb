#!/usr/bin/env node
import { runMinter, unavailableMinter } from '@lakegate/minter-core';

runMinter('azure', {}, async () => unavailableMinter('azure', 'Minting azure credentials is not available in this build yet.'));

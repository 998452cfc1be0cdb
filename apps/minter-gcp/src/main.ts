#!/usr/bin/env node
import { runMinter, unavailableMinter } from '@lakegate/minter-core';

runMinter('gcp', {}, async () => unavailableMinter('gcp', 'Minting gcp credentials is not available in this build yet.'));

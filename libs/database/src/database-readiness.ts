import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ReadinessRegistry } from '@tracker/platform';
import { DataSource } from 'typeorm';

export const DATABASE_NAME = Symbol('DATABASE_NAME');

/** Adds `postgres:<app>` to /health/ready. */
export function databaseReadinessProvider(name: string) {
  @Injectable()
  class DatabaseReadiness implements OnModuleInit {
    constructor(
      private readonly moduleRef: ModuleRef,
      private readonly readiness: ReadinessRegistry,
    ) {}

    onModuleInit(): void {
      const dataSource = this.moduleRef.get<DataSource>(getDataSourceToken(name), {
        strict: false,
      });
      this.readiness.register(`postgres:${name}`, async () => {
        await dataSource.query('SELECT 1');
      });
    }
  }
  return DatabaseReadiness;
}

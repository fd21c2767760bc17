export * from './group.dto';
export * from './groups.module';
export * from './groups.service';

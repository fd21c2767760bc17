import { INestApplication } from '@nestjs/common';
import request from 'supertest';

/** switchboard_possible_duplicate_sends_total for one cause, as GET /metrics shows it (0 if absent). */
export async function possibleDuplicates(app: INestApplication, cause: string): Promise<number> {
  const scraped = await request(app.getHttpServer()).get('/metrics').expect(200);
  const line = scraped.text
    .split('\n')
    .find((text) =>
      text.startsWith(`switchboard_possible_duplicate_sends_total{cause="${cause}"} `),
    );
  return line ? Number(line.split(' ')[1]) : 0;
}
